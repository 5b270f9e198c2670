import { Body, Controller, Get, Header, Param, Post, Query, StreamableFile, UseFilters, UsePipes } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { GalleryService } from '../gallery.service';
import { ErrorDto, ListUnknownsQuery, PersonDto, PromoteUnknownDto, UnknownDto } from './dto';
import { DeleteRoute } from './delete-route';
import { GalleryErrorsFilter } from './gallery-errors.filter';
import { VALIDATION } from './people.controller';

@ApiTags('face-recognition')
@Controller('unknowns')
@UseFilters(GalleryErrorsFilter)
@UsePipes(VALIDATION)
export class UnknownsController {
  constructor(private readonly galleryService: GalleryService) {}

  private get gallery() {
    return this.galleryService.gallery;
  }

  @Get()
  @ApiOperation({ summary: 'Unknown faces (strangers), most recently seen first' })
  @ApiResponse({ status: 200, type: [UnknownDto] })
  list(@Query() query: ListUnknownsQuery): UnknownDto[] {
    return this.gallery.listUnknowns(query.limit ?? 100, query.offset ?? 0).map(({ seq: _seq, ...rest }) => rest);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One unknown identity' })
  @ApiResponse({ status: 200, type: UnknownDto })
  @ApiResponse({ status: 404, description: 'no such unknown', type: ErrorDto })
  get(@Param('id') id: string): UnknownDto {
    const { seq: _seq, ...rest } = this.gallery.getUnknown(id);
    return rest;
  }

  @Get(':id/crop.jpg')
  @Header('Content-Type', 'image/jpeg')
  @ApiOperation({ summary: 'The best stored crop of an unknown face' })
  @ApiProduces('image/jpeg')
  @ApiResponse({ status: 200, description: 'JPEG' })
  @ApiResponse({ status: 404, description: 'no such unknown or no crop', type: ErrorDto })
  crop(@Param('id') id: string): StreamableFile {
    return new StreamableFile(this.gallery.unknownCrop(id));
  }

  @Post(':id/promote')
  @ApiOperation({ summary: 'Name an unknown: it becomes a person, its stored faces their enrolled faces' })
  @ApiResponse({ status: 201, type: PersonDto })
  @ApiResponse({ status: 404, description: 'no such unknown', type: ErrorDto })
  promote(@Param('id') id: string, @Body() body: PromoteUnknownDto): PersonDto {
    return this.gallery.promoteUnknown(id, body.name, body.notes);
  }

  @DeleteRoute(':id', 'Forget an unknown and its stored faces', 'no such unknown')
  remove(@Param('id') id: string): void {
    this.gallery.deleteUnknown(id);
  }
}
