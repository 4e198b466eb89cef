// A change the database committed is answered as done even when its Temporal follow-up failed
// (the worker's sweeper finishes it); the request's log says so.
import type { Request } from 'express';
import type { FollowUpOptions } from '../services/follow-up.service';

export function followUpLogging(req: Request): FollowUpOptions {
  return {
    onFollowUpFailed: (error) => req.log.warn({ err: error }, 'change committed; the worker sweeper will finish its Temporal follow-up'),
  };
}
