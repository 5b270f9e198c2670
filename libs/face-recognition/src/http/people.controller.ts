import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Param,
  ParseIntPipe,
  Patch,
  Post,
  UploadedFiles,
  UseFilters,
  UsePipes,
  ValidationPipe,
} from '@nestjs/common';
import { FilesInterceptor } from '@nestjs/platform-express';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { EnrollmentService, UploadedImage } from '../enrollment.service';
import { GalleryService } from '../gallery.service';
import { CreatePersonDto, ENROLL_BODY, EnrollResultDto, ErrorDto, PersonDetailDto, PersonDto, UpdatePersonDto } from './dto';
import { DeleteRoute } from './delete-route';
import { GalleryErrorsFilter } from './gallery-errors.filter';
import { UploadRoute } from './upload-route';

export const VALIDATION = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });

@ApiTags('face-recognition')
@Controller('people')
@UseFilters(GalleryErrorsFilter)
@UsePipes(VALIDATION)
export class PeopleController {
  constructor(
    private readonly galleryService: GalleryService,
    private readonly enrollment: EnrollmentService,
  ) {}

  private get gallery() {
    return this.galleryService.gallery;
  }

  @Post()
  @ApiOperation({ summary: 'Create a person (enroll faces afterwards)' })
  @ApiResponse({ status: 201, type: PersonDto })
  @ApiResponse({ status: 400, description: 'invalid body', type: ErrorDto })
  create(@Body() body: CreatePersonDto): PersonDto {
    return this.gallery.createPerson(body.name, body.notes);
  }

  @Get()
  @ApiOperation({ summary: 'List people' })
  @ApiResponse({ status: 200, type: [PersonDto] })
  list(): PersonDto[] {
    return this.gallery.listPeople();
  }

  @Get(':id')
  @ApiOperation({ summary: 'A person with their enrolled faces' })
  @ApiResponse({ status: 200, type: PersonDetailDto })
  @ApiResponse({ status: 404, description: 'unknown person', type: ErrorDto })
  get(@Param('id') id: string): PersonDetailDto {
    return { ...this.gallery.getPerson(id), faces: this.gallery.facesOf(id) };
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename a person or change their notes' })
  @ApiResponse({ status: 200, type: PersonDto })
  @ApiResponse({ status: 404, description: 'unknown person', type: ErrorDto })
  update(@Param('id') id: string, @Body() body: UpdatePersonDto): PersonDto {
    return this.gallery.updatePerson(id, body);
  }

  @DeleteRoute(':id', 'Delete a person and their enrolled faces', 'unknown person')
  remove(@Param('id') id: string): void {
    this.gallery.deletePerson(id);
  }

  @Post(':id/faces')
  @UploadRoute({
    interceptor: FilesInterceptor('images'),
    summary: 'Enroll one or several images of a person (multipart field `images`); each must show exactly one face',
    body: ENROLL_BODY,
    ok: { status: 201, type: EnrollResultDto },
    errors: {
      400: 'no file, or a file that is not an image',
      404: 'unknown person',
      413: 'a file over cloud.maxUploadBytes',
      422: 'no face found, or several faces (faceCount says how many); nothing enrolled',
    },
  })
  async enroll(@Param('id') id: string, @UploadedFiles() files: UploadedImage[] | undefined): Promise<EnrollResultDto> {
    this.gallery.getPerson(id);
    if (!files?.length) throw new BadRequestException('no image uploaded (multipart field "images")');
    return { personId: id, faces: await this.enrollment.enroll(id, files) };
  }

  @DeleteRoute(':id/faces/:faceId', 'Remove one enrolled face of a person', 'unknown person or face', 'removed')
  removeFace(@Param('id') id: string, @Param('faceId', ParseIntPipe) faceId: number): void {
    this.gallery.deleteFace(id, faceId);
  }
}
