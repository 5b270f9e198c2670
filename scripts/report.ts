import 'reflect-metadata';
import { REPORT_USAGE, ReportUsageError, generateReport, parseReportArgs, renderReportFile } from './report/report-main';

/** `npm run report -- --source FILE ...`: see REPORT_USAGE. Exit code 2 on bad arguments, 1 on failure. */
async function main(argv: string[]): Promise<void> {
  let options;
  try {
    options = parseReportArgs(argv);
  } catch (error) {
    if (!(error instanceof ReportUsageError)) throw error;
    console.error(`report: ${error.message}\n\n${REPORT_USAGE}`);
    process.exit(2);
  }
  if (options === 'help') {
    console.log(REPORT_USAGE);
    return;
  }
  try {
    if ('render' in options) {
      await renderReportFile(options.render, options.out);
      console.log(`rendered ${options.out}/report.md and bandwidth.svg from ${options.render}`);
      return;
    }
    const report = await generateReport(options);
    const failed = report.checks.filter((c) => !c.ok);
    for (const c of failed) console.error(`consistency check FAILED: ${c.name}: ${c.detail}`);
    process.exit(failed.length ? 1 : 0);
  } catch (error) {
    console.error(`report: ${error instanceof ReportUsageError ? error.message : error instanceof Error ? error.stack : String(error)}`);
    process.exit(error instanceof ReportUsageError ? 2 : 1);
  }
}

void main(process.argv.slice(2));
