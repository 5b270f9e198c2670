import { BadRequestException, Controller, HttpCode, Post, UploadedFile, UseFilters, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { EnrollmentService, UploadedImage } from '../enrollment.service';
import { ErrorDto, RECOGNIZE_BODY, RecognizeResultDto } from './dto';
import { GalleryErrorsFilter } from './gallery-errors.filter';

@ApiTags('face-recognition')
@Controller('recognize')
@UseFilters(GalleryErrorsFilter)
export class RecognitionController {
  constructor(private readonly enrollment: EnrollmentService) {}

  @Post()
  @HttpCode(200)
  @UseInterceptors(FileInterceptor('image'))
  @ApiOperation({ summary: 'Who is in this image: every face found, with the best person or unknown (nothing is stored)' })
  @ApiConsumes('multipart/form-data')
  @ApiBody(RECOGNIZE_BODY)
  @ApiResponse({ status: 200, type: RecognizeResultDto })
  @ApiResponse({ status: 400, description: 'no file, or not an image', type: ErrorDto })
  @ApiResponse({ status: 413, description: 'over cloud.maxUploadBytes', type: ErrorDto })
  @ApiResponse({ status: 422, description: 'no face found', type: ErrorDto })
  async recognize(@UploadedFile() file: UploadedImage | undefined): Promise<RecognizeResultDto> {
    if (!file) throw new BadRequestException('no image uploaded (multipart field "image")');
    return { faces: await this.enrollment.recognize(file) };
  }
}
