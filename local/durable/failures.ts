/**
 * Failure texts in the form the Azure host produces them, so `catch (e) { e.message }` in an orchestrator and the
 * `output` of a failed instance read the same locally and on Azure.
 *
 * An activity that throws reaches the Functions host as an RpcException whose message is
 * `Result: Failure\nException: <message>\nStack: <stack>`; the Durable extension cuts out the text between
 * `\nException:` and `\nStack:` (keeping the leading space) and fails the task with
 * `Activity function '<name>' failed: <that text>` plus the serialised exception as details
 * (azure-functions-durable-extension TaskActivityShim / OutOfProcExceptionHelpers). The SDK then throws
 * `new Error(reason + " \n " + details)` into the orchestrator.
 */

export interface TaskFailure {
  reason: string;
  details: string;
}

function errorParts(err: unknown): { message: string; stack: string } {
  if (err instanceof Error) return { message: err.message, stack: err.stack ?? '' };
  return { message: String(err), stack: '' };
}

/** The .NET exception JSON (Newtonsoft, TypeNameHandling) the extension stores as `TaskFailed.Details`. */
function exceptionJson(
  className: string,
  message: string,
  inner: Record<string, unknown> | null,
): Record<string, unknown> {
  return {
    $type: `${className}, ${className.startsWith('System.') ? 'System.Private.CoreLib' : 'Microsoft.Azure.WebJobs.Script'}`,
    ClassName: className,
    Message: message,
    Data: null,
    InnerException: inner,
    HelpURL: null,
    StackTraceString: null,
    RemoteStackTraceString: null,
    RemoteStackIndex: 0,
    ExceptionMethod: null,
    HResult: -2146233088,
    Source: null,
    WatsonBuckets: null,
  };
}

export function activityFailure(activityName: string, err: unknown): TaskFailure {
  const { message, stack } = errorParts(err);
  const rpcMessage = `Result: Failure\nException: ${message}\nStack: ${stack}`;
  const friendly = rpcMessage.slice(
    rpcMessage.indexOf('\nException:') + '\nException:'.length,
    rpcMessage.indexOf('\nStack:'),
  );
  const rpc = {
    ...exceptionJson('Microsoft.Azure.WebJobs.Script.Workers.Rpc.RpcException', rpcMessage, null),
    IsUserException: false,
    RemoteStackTrace: stack,
    RemoteMessage: message,
    RemoteTypeName: null,
  };
  return {
    reason: `Activity function '${activityName}' failed: ${friendly}`,
    details: JSON.stringify(exceptionJson('System.Exception', friendly, rpc)),
  };
}

/** The extension's text for an activity name no registered activity function has. */
export function unknownActivityMessage(name: string, known: string[]): string {
  return (
    `The function '${name}' doesn't exist, is disabled, or is not an activity function. Additional info: ` +
    (known.length
      ? `The following are the known activity functions: '${known.join("', '")}'.`
      : 'No activity functions are currently registered!')
  );
}

export function unknownOrchestratorMessage(name: string, known: string[]): string {
  return (
    `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function. Additional info: ` +
    (known.length
      ? `The following are the known orchestrator functions: '${known.join("', '")}'.`
      : 'No orchestrator functions are currently registered!')
  );
}

/** Output of a failed instance, and what its parent receives (OutOfProcOrchestrationShim). */
export function orchestratorFailure(orchestratorName: string, error: string): TaskFailure {
  return {
    reason: `Orchestrator function '${orchestratorName}' failed: ${error}`,
    details: `Message: ${error}, StackTrace: `,
  };
}

export const ENTITIES_UNSUPPORTED =
  'Durable entities are not supported by the Sluice local host (signalEntity, callEntity and lock need the ' +
  'entity protocol); run this orchestration on Azure or remove the entity calls.';

export const CALL_HTTP_UNSUPPORTED =
  'context.df.callHttp is not supported by the Sluice local host; call the URL from an activity function instead.';
