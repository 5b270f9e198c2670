import 'reflect-metadata';
import { runMain } from '@sentinel/app';
import { faultModules } from './fault-modules';

/** `node dist/test/faults/fault-tier.js --tier=fog ...`: the real app and links with the fault tests' stand-in modules. */
runMain(process.argv.slice(2), { registry: faultModules });
