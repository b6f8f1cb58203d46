// The playground page's entry: registers every element; index.html uses <tl-playground>.
import './index.ts';
