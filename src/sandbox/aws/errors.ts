/** An EC2 API error: the wire layer turns it into `<Response><Errors><Error>…` with `status`. */
export class Ec2Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
  ) {
    super(message);
    this.name = code;
  }
}

export function missingParameter(name: string): Ec2Error {
  return new Ec2Error('MissingParameter', `The request must contain the parameter ${name}`);
}

export function invalidValue(message: string): Ec2Error {
  return new Ec2Error('InvalidParameterValue', message);
}

export function incorrectState(message: string): Ec2Error {
  return new Ec2Error('IncorrectState', message);
}
