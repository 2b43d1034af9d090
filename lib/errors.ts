/** An error whose message is written for the person at the terminal or in the browser. */
export class StudioError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = "StudioError";
  }
}
