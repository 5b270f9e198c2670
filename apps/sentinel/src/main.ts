import 'reflect-metadata';
import { runMain } from './run';

runMain(process.argv.slice(2));
