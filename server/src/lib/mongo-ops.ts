// Query operators built by our own code. Every connection runs with `sanitizeFilter: true`,
// which neutralises `$`-operators arriving inside filter values (NoSQL injection); operators we
// write ourselves are marked trusted through these helpers.
import mongoose from 'mongoose';

const t = <T extends object>(o: T): T => mongoose.trusted(o) as T;

export const op = {
  lt: <T>(v: T) => t({ $lt: v }),
  lte: <T>(v: T) => t({ $lte: v }),
  gt: <T>(v: T) => t({ $gt: v }),
  gte: <T>(v: T) => t({ $gte: v }),
  ne: <T>(v: T) => t({ $ne: v }),
  /** from <= x < to */
  range: <T>(from: T, to: T) => t({ $gte: from, $lt: to }),
  in: <T>(v: readonly T[]) => t({ $in: [...v] }),
  nin: <T>(v: readonly T[]) => t({ $nin: [...v] }),
  all: <T>(v: readonly T[]) => t({ $all: [...v] }),
};
