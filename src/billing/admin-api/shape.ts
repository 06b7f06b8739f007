import { AdminApiShapeError } from './errors.js';

type Json = Record<string, unknown>;

/** Reads fields of an Admin API answer, naming the field (`data[2].results[0].model`) when one is wrong. */
export class ShapeReader {
  constructor(private readonly path: string) {}

  object(value: unknown, field: string): Json {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new AdminApiShapeError(this.path, field, 'is not an object');
    return value as Json;
  }

  array(value: unknown, field: string): unknown[] {
    if (!Array.isArray(value)) throw new AdminApiShapeError(this.path, field, 'is not a list');
    return value;
  }

  count(value: unknown, field: string): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
      throw new AdminApiShapeError(this.path, field, 'is not a token count');
    return value;
  }

  string(value: unknown, field: string): string {
    if (typeof value !== 'string') throw new AdminApiShapeError(this.path, field, 'is not a string');
    return value;
  }

  boolean(value: unknown, field: string): boolean {
    if (typeof value !== 'boolean') throw new AdminApiShapeError(this.path, field, 'is not true or false');
    return value;
  }

  timestamp(value: unknown, field: string): string {
    const text = this.string(value, field);
    if (Number.isNaN(Date.parse(text))) throw new AdminApiShapeError(this.path, field, 'is not a timestamp');
    return text;
  }
}
