import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { collectionInfo } from '../collection.mapper';
import { CreateCollectionDto } from '../dto/vectorizer.dto';
import { metricFromName, SDK_NAME } from '../metric';
import { VectorizerHttpError } from '../vectorizer-error';
import { VectorizerService } from '../vectorizer.service';

const DEFAULT_DIMENSION = 512;

@ApiTags('Vectorizer')
@Controller('collections')
export class VectorizerCollectionsController {
  constructor(private readonly vectorizer: VectorizerService) {}

  /** Sorted by name, as Vectorizer lists them. */
  @ApiOperation({ summary: 'List collections', description: 'Sorted by name' })
  @ApiResponse({
    status: 200,
    description: 'The collections',
    schema: {
      type: 'object',
      properties: {
        collections: { type: 'array', items: { $ref: getSchemaPath('VectorizerCollection') } },
        total_collections: { type: 'integer' },
      },
    },
  })
  @Get()
  async list() {
    const collections = (await this.vectorizer.list()).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const infos = [];
    for (const c of collections) infos.push(collectionInfo(c, await this.vectorizer.count(c)));
    return { collections: infos, total_collections: infos.length };
  }

  @ApiOperation({ summary: 'Create a collection' })
  @ApiResponse({
    status: 200,
    description: 'Created',
    example: {
      message: "Collection 'my_collection' created successfully",
      collection: 'my_collection',
      name: 'my_collection',
      dimension: 3,
      metric: 'cosine',
    },
  })
  @ApiResponse({ status: 409, description: 'The name is taken' })
  @Post()
  @HttpCode(200)
  async create(@Body() body: CreateCollectionDto) {
    const dimension = body.dimension ?? DEFAULT_DIMENSION;
    if (typeof dimension !== 'number' || !Number.isInteger(dimension) || dimension < 1) {
      throw VectorizerHttpError.validation('dimension', 'dimension must be a positive integer');
    }
    const metric = metricFromName(body.metric ?? body.similarity_metric);
    const c = await this.vectorizer.create(body.name, dimension, metric);
    return {
      message: `Collection '${c.name}' created successfully`,
      collection: c.name,
      name: c.name,
      dimension,
      metric: SDK_NAME[metric],
    };
  }

  @ApiOperation({ summary: 'Get a collection', description: 'With its vector count' })
  @ApiParam({ name: 'name', type: String, description: 'Collection name', example: 'my_collection' })
  @ApiResponse({ status: 200, description: 'The collection', schema: { $ref: getSchemaPath('VectorizerCollection') } })
  @ApiResponse({ status: 404, description: 'No such collection' })
  @Get(':name')
  async get(@Param('name') name: string) {
    const c = await this.vectorizer.get(name);
    return collectionInfo(c, await this.vectorizer.count(c));
  }

  @ApiOperation({ summary: 'Delete a collection' })
  @ApiParam({ name: 'name', type: String, description: 'Collection name', example: 'my_collection' })
  @ApiResponse({
    status: 200,
    description: 'Deleted',
    example: { message: "Collection 'my_collection' deleted successfully" },
  })
  @ApiResponse({ status: 404, description: 'No such collection' })
  @Delete(':name')
  async delete(@Param('name') name: string) {
    await this.vectorizer.delete(name);
    return { message: `Collection '${name}' deleted successfully` };
  }
}
