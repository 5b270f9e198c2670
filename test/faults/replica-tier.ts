import 'reflect-metadata';
import { runMain } from '@sentinel/app';
import { replicaModules } from './replica-modules';

/** `node dist/test/faults/replica-tier.js --tier=fog ...`: the real app, links and roof with the stand-in fog, cloud and notification end. */
runMain(process.argv.slice(2), { registry: replicaModules });
