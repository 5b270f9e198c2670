import { Delete, HttpCode, applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { ErrorDto } from './dto';

/** A documented DELETE route: 204 when done (`done` describes it), 404 with `notFound` when there is nothing to delete. */
export function DeleteRoute(path: string, summary: string, notFound: string, done = 'deleted'): MethodDecorator {
  return applyDecorators(
    Delete(path),
    HttpCode(204),
    ApiOperation({ summary }),
    ApiResponse({ status: 204, description: done }),
    ApiResponse({ status: 404, description: notFound, type: ErrorDto }),
  );
}
