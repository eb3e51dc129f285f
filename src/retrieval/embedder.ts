import type { Embeddings } from '@langchain/core/embeddings';

/** A LangChain embedder that can say who it is, so an index built by another one is refused. */
export type IdentifiedEmbeddings = Embeddings & {
  /** Stable identity, e.g. `local-hash-v1` or `openai:text-embedding-3-small`. */
  readonly id: string;
  /** Vector length; undefined until known for a remote model without configured dimensions. */
  readonly dimensions: number | undefined;
  /** Its vectors are mostly zeros (hashed features): searched exactly through an inverted index, not HNSW. */
  readonly sparse?: boolean;
};
