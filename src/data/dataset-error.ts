/**
 * A refusal of a file or a set of files. The message starts with the file it is about
 * (or the folder, or "the dataset") and says what is wrong, never what the file contains.
 * Its own module so the IDX reader, which the dataset description builds on, can share it.
 */
export class DatasetError extends Error {
  /** The file (or folder, or set) the problem was found in. */
  readonly file: string;

  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'DatasetError';
    this.file = file;
  }
}
