import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { Box } from '@sentinel/contracts';

export class CreatePersonDto {
  @ApiProperty({ example: 'Penny', maxLength: 200 })
  @MaxLength(200) @MinLength(1) @IsString()
  name!: string;

  @ApiPropertyOptional({ example: 'Neighbour, has a key', maxLength: 2000 })
  @IsOptional() @MaxLength(2000) @IsString()
  notes?: string;
}

export class UpdatePersonDto {
  @ApiPropertyOptional({ example: 'Penny Hofstadter', maxLength: 200 })
  @IsOptional() @MaxLength(200) @MinLength(1) @IsString()
  name?: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional() @MaxLength(2000) @IsString()
  notes?: string;
}

export class PromoteUnknownDto extends CreatePersonDto {}

export class ListUnknownsQuery {
  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 })
  @IsOptional() @Max(1000) @Min(1) @IsInt() @Type(() => Number)
  limit?: number;

  @ApiPropertyOptional({ default: 0, minimum: 0 })
  @IsOptional() @Min(0) @IsInt() @Type(() => Number)
  offset?: number;
}

export class PersonDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) notes!: string | null;
  @ApiProperty({ description: 'epoch ms' }) createdAt!: number;
  @ApiProperty({ description: 'epoch ms' }) updatedAt!: number;
  @ApiProperty({ description: 'enrolled face embeddings' }) faceCount!: number;
}

export class FaceDto {
  @ApiProperty() id!: number;
  @ApiProperty() personId!: string;
  @ApiProperty({ description: 'sha256 of the enrolled image bytes' }) imageHash!: string;
  @ApiProperty({ description: 'detector confidence scaled down for faces under 112 px, 0..1' }) quality!: number;
  @ApiProperty({ description: 'embedding model' }) model!: string;
  @ApiProperty({ description: 'epoch ms' }) createdAt!: number;
}

export class PersonDetailDto extends PersonDto {
  @ApiProperty({ type: [FaceDto] }) faces!: FaceDto[];
}

export class EnrolledFaceDto extends FaceDto {
  @ApiProperty({ description: 'this image was already enrolled for the person; nothing new stored' }) duplicate!: boolean;
  @ApiPropertyOptional({ description: 'uploaded file name' }) file?: string;
}

export class EnrollResultDto {
  @ApiProperty() personId!: string;
  @ApiProperty({ type: [EnrolledFaceDto] }) faces!: EnrolledFaceDto[];
}

export class RecognizedFaceDto {
  @ApiProperty({ type: Box, description: 'face box in image pixels' }) box!: Box;
  @ApiProperty({ description: 'face detector confidence' }) score!: number;
  @ApiProperty() known!: boolean;
  @ApiPropertyOptional() personId?: string;
  @ApiPropertyOptional() name?: string;
  @ApiProperty({ description: 'cosine similarity of the best person (-1..1)' }) similarity!: number;
}

export class RecognizeResultDto {
  @ApiProperty({ type: [RecognizedFaceDto] }) faces!: RecognizedFaceDto[];
}

export class UnknownDto {
  @ApiProperty({ example: 'unknown-7' }) id!: string;
  @ApiProperty({ description: 'epoch ms' }) firstSeen!: number;
  @ApiProperty({ description: 'epoch ms' }) lastSeen!: number;
  @ApiProperty({ description: 'face crops matched to this unknown' }) sightings!: number;
  @ApiProperty() lastCamera!: string;
  @ApiProperty({ description: 'stored faces (embedding + crop)' }) faceCount!: number;
}

export class ErrorDto {
  @ApiProperty() statusCode!: number;
  @ApiProperty() message!: string;
  @ApiPropertyOptional({ description: '422 only: faces found' }) faceCount?: number;
}

/** Multipart body schemas for swagger. */
export const ENROLL_BODY = {
  schema: {
    type: 'object',
    required: ['images'],
    properties: { images: { type: 'array', items: { type: 'string', format: 'binary' }, description: 'one face per image (JPEG, PNG, WebP)' } },
  },
};

export const RECOGNIZE_BODY = {
  schema: {
    type: 'object',
    required: ['image'],
    properties: { image: { type: 'string', format: 'binary', description: 'JPEG, PNG or WebP' } },
  },
};
