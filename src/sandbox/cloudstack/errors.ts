/**
 * CloudStack's errors: `ApiErrorCode` (the `errorcode`, which is also the HTTP status) and the
 * `cserrorcode` of the exception class behind it (CSExceptionErrorCode), as the API server
 * serializes an ExceptionResponse: `{"<command>response": {uuidList, errorcode, cserrorcode, errortext}}`.
 */

/** ApiErrorCode values the sandbox answers. */
export const ERROR_CODE = {
  unauthorized: 401,
  /** API_LIMIT_EXCEED. */
  limit: 429,
  /** PARAM_ERROR. */
  param: 431,
  /** UNSUPPORTED_ACTION_ERROR. */
  unsupported: 432,
  /** INTERNAL_ERROR. */
  internal: 530,
  /** RESOURCE_UNAVAILABLE_ERROR. */
  unavailable: 534,
  /** RESOURCE_IN_USE_ERROR. */
  inUse: 536,
} as const;

/** CSExceptionErrorCode of the exception classes behind those errors. */
export const CS_ERROR_CODE = {
  CloudRuntimeException: 4250,
  InvalidParameterValueException: 4350,
  PermissionDeniedException: 4365,
  ResourceInUseException: 4375,
  ResourceUnavailableException: 4380,
  RequestLimitException: 4545,
  ServerApiException: 9999,
} as const;

export class CsError extends Error {
  constructor(
    readonly errorcode: number,
    readonly errortext: string,
    /** Absent for the 401 of a failed signature check (CloudStack sends none there). */
    readonly cserrorcode?: number,
    /** The error says an id names nothing (the control API answers it as a 404). */
    readonly missingEntity = false,
  ) {
    super(errortext);
  }

  /** The HTTP status (CloudStack answers with the error code itself). */
  get status(): number {
    return this.errorcode;
  }

  /** The response body under `<command>response`. */
  body(): Record<string, unknown> {
    return {
      uuidList: [],
      errorcode: this.errorcode,
      ...(this.cserrorcode === undefined ? {} : { cserrorcode: this.cserrorcode }),
      errortext: this.errortext,
    };
  }
}

/** 431 InvalidParameterValueException: the common refusal. */
export function invalid(text: string): CsError {
  return new CsError(ERROR_CODE.param, text, CS_ERROR_CODE.InvalidParameterValueException);
}

/** 431 for a missing required parameter, worded as the API dispatcher does. */
export function missing(command: string, param: string): CsError {
  return invalid(`Unable to execute API command ${command.toLowerCase()} due to missing parameter ${param}`);
}

/** 431 for an id that names no entity of the parameter's kind, worded as the API dispatcher does. */
export function badId(command: string, param: string, value: string): CsError {
  return new CsError(
    ERROR_CODE.param,
    `Unable to execute API command ${command.toLowerCase()} due to invalid value. Invalid parameter ${param} value=${value} due to incorrect long value format, ` +
      'or entity does not exist or due to incorrect parameter annotation for the field in api cmd class.',
    CS_ERROR_CODE.InvalidParameterValueException,
    true,
  );
}

/** 530 CloudRuntimeException: a failure inside a job. */
export function internal(text: string): CsError {
  return new CsError(ERROR_CODE.internal, text, CS_ERROR_CODE.CloudRuntimeException);
}

/** 536 ResourceInUseException. */
export function inUse(text: string): CsError {
  return new CsError(ERROR_CODE.inUse, text, CS_ERROR_CODE.ResourceInUseException);
}

/** The 401 of ApiServlet when the request's signature, key or expiry does not verify. */
export function unauthenticated(): CsError {
  return new CsError(ERROR_CODE.unauthorized, 'unable to verify user credentials and/or request signature');
}

/** 429 RequestLimitException (the API rate limit plug-in's answer). */
export function limited(): CsError {
  return new CsError(ERROR_CODE.limit, 'There are too many api requests, please try again later.', CS_ERROR_CODE.RequestLimitException);
}

/** 530 for a server error fault. */
export function serverError(): CsError {
  return internal('Internal error executing command, please contact your system administrator');
}
