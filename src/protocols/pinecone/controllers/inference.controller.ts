import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { PineconeInferenceService } from '../pinecone-inference.service';
import { PineconeApiVersionGuard } from '../api-version.guard';

/** Pinecone's inference API at the gateway's root, where the client's controller host points (the control plane's). */
@ApiTags('Pinecone control plane')
@UseGuards(PineconeApiVersionGuard)
@Controller()
export class PineconeInferenceController {
  constructor(private readonly inference: PineconeInferenceService) {}

  @ApiOperation({ summary: 'Embed texts', description: 'With a model the operator mapped (GET /models)' })
  @ApiBody({
    schema: { type: 'object', additionalProperties: true },
    examples: {
      passages: {
        value: {
          model: 'llama-text-embed-v2',
          inputs: [{ text: 'The Eiffel Tower is in Paris.' }],
          parameters: { input_type: 'passage' },
        },
      },
    },
  })
  @ApiResponse({
    status: 200,
    description: 'One embedding per input',
    example: {
      model: 'llama-text-embed-v2',
      vector_type: 'dense',
      data: [{ values: [0.1, 0.2], vector_type: 'dense' }],
      usage: { total_tokens: 7 },
    },
  })
  @ApiResponse({ status: 503, description: 'The inference provider is unavailable' })
  @Post('embed')
  @HttpCode(200)
  embed(@Body() body: unknown) {
    return this.inference.embed(body);
  }

  @ApiOperation({ summary: 'Rerank documents against a query' })
  @ApiBody({
    schema: { type: 'object', additionalProperties: true },
    examples: {
      documents: {
        value: {
          model: 'bge-reranker-v2-m3',
          query: 'Where is the Eiffel Tower?',
          documents: [{ text: 'It is in Paris.' }, { text: 'Rome is in Italy.' }],
          top_n: 1,
        },
      },
    },
  })
  @ApiResponse({
    status: 200,
    description: 'The documents by score, best first',
    example: {
      model: 'bge-reranker-v2-m3',
      data: [{ index: 0, score: 0.98, document: { text: 'It is in Paris.' } }],
      usage: { rerank_units: 1 },
    },
  })
  @Post('rerank')
  @HttpCode(200)
  rerank(@Body() body: unknown) {
    return this.inference.rerank(body);
  }

  @ApiOperation({ summary: 'List the models the operator mapped' })
  @ApiQuery({ name: 'type', required: false, enum: ['embed', 'rerank'] })
  @ApiQuery({ name: 'vector_type', required: false, enum: ['dense', 'sparse'] })
  @ApiResponse({ status: 200, description: '`{"models": [ModelInfo]}`' })
  @Get('models')
  models(@Query('type') type?: string, @Query('vector_type') vectorType?: string) {
    return { models: this.inference.models(type, vectorType) };
  }

  @ApiOperation({ summary: 'Describe a model' })
  @ApiParam({ name: 'model', type: String, example: 'llama-text-embed-v2' })
  @ApiResponse({ status: 200, description: 'The ModelInfo' })
  @ApiResponse({ status: 404, description: 'No such model on this gateway' })
  @Get('models/:model')
  model(@Param('model') model: string) {
    return this.inference.model(model);
  }
}
