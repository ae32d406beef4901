import { Schema } from 'mongoose';

/** Where an imported item came from (Stack Exchange dumps are CC BY-SA: attribution is kept). */
export const attributionSchema = new Schema(
  {
    site: { type: String, required: true },
    originalId: { type: String, required: true },
    url: { type: String, required: true },
    authorName: { type: String, default: null },
    authorUrl: { type: String, default: null },
    license: { type: String, required: true },
  },
  { _id: false },
);

export interface Attribution {
  site: string;
  originalId: string;
  url: string;
  authorName: string | null;
  authorUrl: string | null;
  license: string;
}
