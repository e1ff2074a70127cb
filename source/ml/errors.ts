/**
 * The one error source/ml throws for bad data, options or artifacts. The message is a single line
 * meant for the operator; source/ml does not depend on services, so the services layer maps it to
 * its own InvalidInputError.
 */
export class ModelError extends Error {
  constructor(message: string) {
    // Callers may interpolate data values; keep the contract of one line whatever they contain.
    super(message.replace(/\s*[\r\n]+\s*/g, ' '));
    this.name = 'ModelError';
  }
}
