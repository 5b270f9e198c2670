import { ValidationOptions, registerDecorator } from 'class-validator';

/** A binary payload (JPEG bytes): a Uint8Array/Buffer, optionally bounded in length. */
export function IsBytes(options: { minLength?: number; maxLength?: number } = {}, validation?: ValidationOptions) {
  return (target: object, propertyName: string): void => {
    registerDecorator({
      name: 'isBytes',
      target: target.constructor,
      propertyName,
      options: {
        message: `${propertyName} must be binary bytes of ${options.minLength ?? 1}..${options.maxLength ?? 'any'} length`,
        ...validation,
      },
      validator: {
        validate(value: unknown): boolean {
          if (!(value instanceof Uint8Array)) return false;
          if (value.length < (options.minLength ?? 1)) return false;
          return options.maxLength === undefined || value.length <= options.maxLength;
        },
      },
    });
  };
}
