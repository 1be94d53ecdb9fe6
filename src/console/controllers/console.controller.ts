import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ConsoleService } from '../console.service';
import { ConsoleDeleteDto, ConsoleExplainDto, ConsoleRecordsDto, ConsoleSearchDto } from '../dto/console.dto';

@ApiTags('Console')
@Controller('console/api')
export class ConsoleController {
  constructor(private readonly console: ConsoleService) {}

  @ApiOperation({ summary: 'Whether a key is needed, and what the presented one may do' })
  @Get('session')
  session() {
    return this.console.session();
  }

  @ApiOperation({ summary: 'Tenants, databases and collections the key reaches, with sizes and index states' })
  @Get('tenants')
  tenants() {
    return this.console.tenants();
  }

  @ApiOperation({ summary: 'One collection, as listed' })
  @Get('collections/:id')
  collection(@Param('id') id: string) {
    return this.console.collection(id);
  }

  @ApiOperation({ summary: 'A page of the records a filter keeps, with the count of all it keeps' })
  @Post('collections/:id/records')
  @HttpCode(200)
  records(@Param('id') id: string, @Body() body: ConsoleRecordsDto) {
    return this.console.records(id, { ...body });
  }

  @ApiOperation({ summary: 'Nearest neighbours of a record or a vector, and the path the search took' })
  @Post('collections/:id/search')
  @HttpCode(200)
  search(@Param('id') id: string, @Body() body: ConsoleSearchDto) {
    return this.console.search(id, { ...body });
  }

  @ApiOperation({
    summary: 'The SQL, the plan, the search path and the matching rows of a read, a search or a delete (rolled back)',
  })
  @Post('collections/:id/explain')
  @HttpCode(200)
  explain(@Param('id') id: string, @Body() body: ConsoleExplainDto) {
    return this.console.explain(id, { ...body });
  }

  @ApiOperation({ summary: 'Delete what a filter keeps; with dryRun, count it' })
  @Post('collections/:id/delete')
  @HttpCode(200)
  deleteMatching(@Param('id') id: string, @Body() body: ConsoleDeleteDto) {
    return this.console.deleteMatching(id, { ...body });
  }

  @ApiOperation({ summary: 'A random sample of records with their vectors, for a 2-D projection' })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: 'At most 2,000' })
  @ApiQuery({ name: 'color', required: false, type: String, description: 'A metadata key to colour by' })
  @ApiQuery({ name: 'namespace', required: false, type: String })
  @Get('collections/:id/projection')
  projection(@Param('id') id: string, @Query() query: Record<string, unknown>) {
    return this.console.projection(id, query);
  }

  @ApiOperation({ summary: "Recall as measured (the tuner's and the sampled traffic's), ef_search, latency over time" })
  @Get('collections/:id/quality')
  quality(@Param('id') id: string) {
    return this.console.quality(id);
  }
}
