import { BadRequestException, Controller, HttpCode, Post, UploadedFile, UseFilters } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiTags } from '@nestjs/swagger';
import { EnrollmentService, UploadedImage } from '../enrollment.service';
import { RECOGNIZE_BODY, RecognizeResultDto } from './dto';
import { GalleryErrorsFilter } from './gallery-errors.filter';
import { UploadRoute } from './upload-route';

@ApiTags('face-recognition')
@Controller('recognize')
@UseFilters(GalleryErrorsFilter)
export class RecognitionController {
  constructor(private readonly enrollment: EnrollmentService) {}

  @Post()
  @HttpCode(200)
  @UploadRoute({
    interceptor: FileInterceptor('image'),
    summary: 'Who is in this image: every face found, with the best person or unknown (nothing is stored)',
    body: RECOGNIZE_BODY,
    ok: { status: 200, type: RecognizeResultDto },
    errors: { 400: 'no file, or not an image', 413: 'over cloud.maxUploadBytes', 422: 'no face found' },
  })
  async recognize(@UploadedFile() file: UploadedImage | undefined): Promise<RecognizeResultDto> {
    if (!file) throw new BadRequestException('no image uploaded (multipart field "image")');
    return { faces: await this.enrollment.recognize(file) };
  }
}
