import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import {displayName, isJunkPath} from '../dataset/archive-paths.ts';

/** Longer names are hard to read in every table and chart that shows them. */
export const MAX_CLASS_NAME_LENGTH = 64;

/**
 * A class name as its folder in the dataset zip will have it (trimmed), or
 * InvalidRequestError saying what is wrong with it. The rules are those of
 * the import: a name it would strip or pass over as litter (`.DS_Store`,
 * `__MACOSX`), or a path instead of a name, would not come back as the
 * same class. Names must differ ignoring case, as folders do on Windows and
 * macOS, where the downloaded zip may be unpacked.
 */
export function checkClassName(name: string, others: readonly string[]): string {
  const trimmed = name.trim();
  const problem =
    trimmed.length === 0
      ? 'a class needs a name'
      : trimmed.length > MAX_CLASS_NAME_LENGTH
        ? `a class name can have at most ${MAX_CLASS_NAME_LENGTH} characters`
        : /[/\\]/.test(trimmed) || trimmed === '.' || trimmed === '..'
          ? 'a class name is a folder name: no "/", "\\", "." or ".."'
          : displayName(trimmed) !== trimmed
            ? 'a class name cannot hold control or text-direction characters'
            : isJunkPath(trimmed)
              ? `"${trimmed}" is a name the dataset import passes over as operating-system litter`
              : others.some((other) => other.toLowerCase() === trimmed.toLowerCase())
                ? `there is already a class "${others.find((other) => other.toLowerCase() === trimmed.toLowerCase())}"`
                : '';
  if (problem) throw new NamedError(ErrorName.InvalidRequest, `Cannot use that class name: ${problem}.`, {name});
  return trimmed;
}
