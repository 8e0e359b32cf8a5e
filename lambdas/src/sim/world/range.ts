import { z } from 'zod';

/** A `[min, max]` range in seconds, drawn uniformly, with its default (the world's parameters). */
export const range = (min: number, max: number) =>
  z
    .tuple([z.number().min(0), z.number().min(0)])
    .refine(([a, b]) => a <= b, 'expected [min, max] with min <= max')
    .default([min, max]);
