import 'reflect-metadata';
import { runMain } from '@sentinel/app';
import { stubModules } from './stub-modules';

/** `node dist/test/support/stub-tier.js --tier=fog ...`: the real app with stand-in modules. */
runMain(process.argv.slice(2), { registry: stubModules });
