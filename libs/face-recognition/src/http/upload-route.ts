import { NestInterceptor, Type, UseInterceptors, applyDecorators } from '@nestjs/common';
import { ApiBody, ApiBodyOptions, ApiConsumes, ApiOperation, ApiResponse } from '@nestjs/swagger';
import { ErrorDto } from './dto';

export interface UploadRouteSpec {
  /** The multer interceptor that reads the multipart field(s), e.g. `FileInterceptor('image')`. */
  interceptor: Type<NestInterceptor>;
  summary: string;
  body: ApiBodyOptions;
  /** The success response. */
  ok: { status: number; type: Type<unknown> };
  /** Error statuses and what each means; every one answers an `ErrorDto`. */
  errors: Record<number, string>;
}

/** The documented multipart upload part of a route (interceptor, swagger body and responses); the verb stays at the route. */
export function UploadRoute({ interceptor, summary, body, ok, errors }: UploadRouteSpec): MethodDecorator {
  return applyDecorators(
    UseInterceptors(interceptor),
    ApiOperation({ summary }),
    ApiConsumes('multipart/form-data'),
    ApiBody(body),
    ApiResponse({ status: ok.status, type: ok.type }),
    ...Object.entries(errors).map(([status, description]) => ApiResponse({ status: Number(status), description, type: ErrorDto })),
  );
}
