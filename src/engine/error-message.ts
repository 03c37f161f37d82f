/**
 * The words of a thrown value, for a message a person reads. Engine refusals throw Errors
 * whose message is already such a sentence; anything else thrown is shown as text.
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
