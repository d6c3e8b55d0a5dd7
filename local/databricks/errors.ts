/** An answer in Databricks' error shape: HTTP status with `{"error_code", "message"}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body() {
    return { error_code: this.errorCode, message: this.message };
  }
}
