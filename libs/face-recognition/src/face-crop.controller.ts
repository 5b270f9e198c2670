import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { FaceCropMessage, Patterns } from '@sentinel/contracts';
import { CropOutcome, FaceRecognitionService } from './face-recognition.service';

/** Link side: face crops from the fog. The returned promise is the acknowledgement. */
@Controller()
export class FaceCropController {
  constructor(private readonly recognition: FaceRecognitionService) {}

  @MessagePattern(Patterns.FaceCrop)
  handleFaceCrop(@Payload() message: FaceCropMessage): Promise<CropOutcome> {
    return this.recognition.handleCrop(message);
  }
}
