// Why a file could not be read or written, in words a user acts on (for one-line messages at the edges:
// board files, build outputs, CA files, dry-run files).

/** ioReason(err) -> "no such file", "permission denied", ... or the error's own message. */
export function ioReason(err: unknown): string {
  switch ((err as NodeJS.ErrnoException)?.code) {
    case "ENOENT": return "no such file or directory";
    case "EACCES": case "EPERM": return "permission denied";
    case "EISDIR": return "it is a directory";
    case "ENOTDIR": return "a part of the path is not a directory";
    case "EROFS": return "read-only file system";
    case "ENOSPC": return "no space left on the device";
  }
  return err instanceof Error ? err.message : String(err);
}
