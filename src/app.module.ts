import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { OperationsModule } from './operations/operations.module';
import { ChromaModule } from './protocols/chroma/chroma.module';
import { PineconeModule } from './protocols/pinecone/pinecone.module';
import { VectorizerModule } from './protocols/vectorizer/vectorizer.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        OperationsModule.forRoot(),
        AuthModule,
        ChromaModule,
        PineconeModule,
        VectorizerModule,
      ],
    };
  }
}
