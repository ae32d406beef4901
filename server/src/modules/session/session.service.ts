import type { Request } from 'express';
import type { AppDeps, Viewer } from '../../context.js';

export async function authenticateRequest(_deps: AppDeps, _req: Request): Promise<Viewer | null> {
  return null;
}
