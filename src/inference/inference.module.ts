import { DynamicModule, Global, Module } from '@nestjs/common';
import { INFERENCE_OPTIONS, type InferenceOptions } from './inference-options';
import { InferenceService } from './inference.service';

/** Embedding and reranking through the operator's providers; global, for every protocol that takes text. */
@Global()
@Module({})
export class InferenceModule {
  static forRoot(options: InferenceOptions): DynamicModule {
    return {
      module: InferenceModule,
      providers: [{ provide: INFERENCE_OPTIONS, useValue: options }, InferenceService],
      exports: [InferenceService],
    };
  }
}
