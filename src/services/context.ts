// What use cases need from the outside world, built once per process and passed in.
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { UrlPolicy } from '../domain/endpoint-url';
import type { SecretBox } from '../domain/secret-box';

export interface ServiceContext {
  db: Kysely<Database>;
  secretBox: SecretBox;
  temporal: Client;
  taskQueue: string;
  urlPolicy: UrlPolicy;
}
