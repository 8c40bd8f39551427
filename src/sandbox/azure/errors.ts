/** ARM's error shape (CloudError) and the errors the sandbox answers with. */

export interface ArmErrorBody {
  code: string;
  message: string;
  target?: string;
  details?: ArmErrorBody[];
}

/** What an operation the sandbox fails on purpose (fault injection) ends with. */
export function injectedFailure(): ArmErrorBody {
  return { code: 'InternalOperationError', message: 'The sandbox failed this operation on purpose (fault injection).' };
}

export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly target?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): { error: ArmErrorBody } {
    return { error: { code: this.code, message: this.message, ...(this.target ? { target: this.target } : {}) } };
  }
}

export const badRequest = (message: string, target?: string): ArmError => new ArmError(400, 'BadRequest', message, target);
export const invalidParameter = (message: string, target?: string): ArmError =>
  new ArmError(400, 'InvalidParameter', message, target);
export const notAllowed = (message: string): ArmError => new ArmError(409, 'OperationNotAllowed', message);

/** The 404 ARM answers for a missing resource. */
export function resourceNotFound(type: string, name: string, resourceGroup: string): ArmError {
  return new ArmError(
    404,
    'ResourceNotFound',
    `The Resource 'Microsoft.Compute/${type}/${name}' under resource group '${resourceGroup}' was not found. ` +
      'For more details please go to https://aka.ms/ARMResourceNotFoundFix',
  );
}

export function resourceGroupNotFound(name: string): ArmError {
  return new ArmError(404, 'ResourceGroupNotFound', `Resource group '${name}' could not be found.`);
}

export function subscriptionNotFound(id: string): ArmError {
  return new ArmError(404, 'SubscriptionNotFound', `The subscription '${id}' could not be found.`);
}

const NAME = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$/;

/** Compute's resource name rule: 1–80 characters, alphanumerics, `_`, `.`, `-`, ending alphanumeric or `_`. */
export function checkName(type: string, name: string): void {
  if (!NAME.test(name)) {
    throw new ArmError(
      400,
      'InvalidResourceName',
      `The resource name '${name}' for type 'Microsoft.Compute/${type}' is invalid. It must be 1 to 80 characters long, ` +
        "contain only alphanumerics, underscores, periods and hyphens, start with an alphanumeric or underscore and end with an alphanumeric or underscore.",
      'name',
    );
  }
}
