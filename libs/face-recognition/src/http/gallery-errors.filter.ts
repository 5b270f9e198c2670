import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus } from '@nestjs/common';
import { InvalidImageError } from '@sentinel/human';
import type { Response } from 'express';
import { NotFoundInGalleryError } from '../gallery/gallery';

/** Maps domain errors to HTTP: an unknown person/face/unknown is 404, bytes that are not an image 400. */
@Catch(NotFoundInGalleryError, InvalidImageError)
export class GalleryErrorsFilter implements ExceptionFilter {
  catch(error: NotFoundInGalleryError | InvalidImageError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (error instanceof NotFoundInGalleryError) {
      response.status(HttpStatus.NOT_FOUND).json({ statusCode: 404, error: 'Not Found', message: error.message });
      return;
    }
    response.status(HttpStatus.BAD_REQUEST).json({ statusCode: 400, error: 'Bad Request', message: `upload is not an image (${error.message})` });
  }
}
