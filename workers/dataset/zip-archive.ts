import {
  ERR_AMBIGUOUS_ARCHIVE,
  ERR_INVALID_UNCOMPRESSED_SIZE,
  ERR_OVERLAPPING_ENTRY,
  Uint8ArrayWriter,
  ZipReader,
  configure,
  type Entry,
  type FileEntry,
} from '@zip.js/zip.js';
import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import {formatBytes} from '../../src/shared/format.ts';
import type {ImportLimits} from '../../src/shared/protocol/index.ts';
import {throwIfCancelled} from '../runtime/jobs.ts';
import {displayName} from './archive-paths.ts';
import {ReadAheadBlobReader} from './read-ahead-reader.ts';

// Already in a worker: zip.js must not start workers of its own.
configure({useWebWorkers: false});

export interface OpenArchive {
  files: FileEntry[];
  /** Folder entries (an empty class folder exists only as one of these). */
  directories: string[];
  close(): Promise<void>;
}

const LOCAL_HEADER_BYTES = 30;

/**
 * Opens a zip with random access on the Blob (the archive is never read
 * whole) and applies the archive-level checks: a zip at all, complete,
 * unencrypted, within the caps, no overlapping entries.
 */
export async function openArchive(blob: Blob, limits: ImportLimits, signal?: AbortSignal): Promise<OpenArchive> {
  const reader = new ZipReader(new ReadAheadBlobReader(blob), {checkOverlappingEntry: true, checkCrc32: true, signal});
  let entries: Entry[];
  try {
    entries = await reader.getEntries();
  } catch (err) {
    await reader.close().catch(() => {});
    throwIfCancelled(signal);
    throw (await startsLikeZip(blob))
      ? new NamedError(
          ErrorName.ArchiveCorrupt,
          `The zip is incomplete or damaged (${(err as Error).message}). Was the download or copy cut short? Make the zip again.`,
          {code: 'truncated'},
        )
      : new NamedError(ErrorName.NotAZip, 'This file is not a zip archive. Zip the dataset folder and drop the .zip file.');
  }
  try {
    checkEntries(entries, limits);
  } catch (err) {
    await reader.close().catch(() => {});
    throw err;
  }
  return {
    files: entries.filter((e): e is FileEntry => !e.directory),
    directories: entries.filter((e) => e.directory).map((e) => e.filename.replace(/\/+$/, '')),
    close: () => reader.close(),
  };
}

async function startsLikeZip(blob: Blob): Promise<boolean> {
  const head = new Uint8Array(await blob.slice(0, 4).arrayBuffer());
  return head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5 || head[2] === 7);
}

function checkEntries(entries: Entry[], limits: ImportLimits): void {
  const files = entries.filter((e) => !e.directory);
  if (files.length > limits.maxEntries) {
    throw new NamedError(
      ErrorName.ArchiveTooLarge,
      `The zip has ${files.length.toLocaleString('en')} files; the limit is ${limits.maxEntries.toLocaleString('en')}.`,
      {code: 'entries'},
    );
  }
  const encrypted = files.filter((e) => e.encrypted);
  if (encrypted.length > 0) {
    throw new NamedError(
      ErrorName.ArchiveEncrypted,
      `${encrypted.length} file(s) in the zip are password-protected (e.g. ${displayName(encrypted[0]!.filename)}). Make the zip again without a password.`,
    );
  }
  const total = files.reduce((sum, e) => sum + e.uncompressedSize, 0);
  if (total > limits.maxTotalBytes) {
    throw new NamedError(
      ErrorName.ArchiveTooLarge,
      `The zip unpacks to ${formatBytes(total)}; the limit is ${formatBytes(limits.maxTotalBytes)}.`,
      {code: 'total-size'},
    );
  }
  for (const e of files) {
    const ratio = e.uncompressedSize / Math.max(1, e.compressedSize);
    if (e.uncompressedSize > 2 ** 20 && ratio > limits.maxCompressionRatio) {
      throw new NamedError(
        ErrorName.ArchiveTooLarge,
        `${displayName(e.filename)} claims a compression ratio of ${Math.round(ratio)}:1 (limit ${limits.maxCompressionRatio}:1): this looks like a zip bomb.`,
        {code: 'ratio'},
      );
    }
  }
  // Two entries whose data share bytes: the trick behind non-recursive zip bombs.
  const byOffset = [...files].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < byOffset.length; i++) {
    const previous = byOffset[i - 1]!;
    const end = previous.offset + LOCAL_HEADER_BYTES + (previous.rawFilename?.length ?? 0) + previous.compressedSize;
    if (end > byOffset[i]!.offset) {
      throw new NamedError(
        ErrorName.ArchiveCorrupt,
        `Entries ${displayName(previous.filename)} and ${displayName(byOffset[i]!.filename)} overlap inside the zip: it is malformed or malicious.`,
        {code: 'overlap'},
      );
    }
  }
}

/** Reads one entry whole (entries are images: megabytes at most, and capped). */
export async function readEntry(entry: FileEntry, signal?: AbortSignal): Promise<Uint8Array> {
  try {
    return await entry.getData(new Uint8ArrayWriter(), {signal});
  } catch (err) {
    // zip.js rejects an aborted read with its own AbortError; ours is CancelledError.
    throwIfCancelled(signal);
    const message = (err as Error).message;
    const name = displayName(entry.filename);
    if (message === ERR_OVERLAPPING_ENTRY) {
      throw new NamedError(ErrorName.ArchiveCorrupt, `${name} overlaps another entry: the zip is malformed or malicious.`, {
        code: 'overlap',
      });
    }
    if (message === ERR_AMBIGUOUS_ARCHIVE) {
      throw new NamedError(
        ErrorName.ArchiveCorrupt,
        `The zip's headers disagree about ${name} (its size or name): the zip is malformed or malicious.`,
        {code: 'ambiguous'},
      );
    }
    if (message === ERR_INVALID_UNCOMPRESSED_SIZE) {
      throw new NamedError(
        ErrorName.ArchiveCorrupt,
        `${name} unpacks to more bytes than it declares: the zip is malformed or malicious.`,
        {code: 'size-mismatch'},
      );
    }
    throw err;
  }
}

