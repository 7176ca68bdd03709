/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "subscription AnalysisUpdated($kind: AnalysisKind!, $symbol: String!) {\n  analysisUpdated(kind: $kind, symbol: $symbol) {\n    kind\n    symbol\n    asOf\n    meta {\n      source\n      venue\n      stale\n      methodologyVersion\n    }\n    payload\n  }\n}": typeof types.AnalysisUpdatedDocument,
    "subscription FundingUpdated($symbol: String!) {\n  fundingUpdated(symbol: $symbol) {\n    symbol\n    rate\n    predictedRate\n    zScore\n    trend\n    signal\n    score\n    meta {\n      source\n      asOf\n      stale\n    }\n  }\n}": typeof types.FundingUpdatedDocument,
    "query Health {\n  health {\n    status\n    ready\n    role\n    database {\n      status\n      kind\n      latencyMs\n      error\n    }\n    pubsub {\n      status\n      kind\n      latencyMs\n      error\n    }\n    marketSource {\n      status\n      origin\n      venue\n      state\n      lastEventAt\n      lastError\n    }\n    snapshots {\n      buffered\n      written\n      dropped\n      failedFlushes\n      lastError\n    }\n  }\n  symbols {\n    symbol\n    baseAsset\n    quoteAsset\n    fundingIntervalHours\n  }\n}": typeof types.HealthDocument,
    "query MarketFunding($symbol: String!) {\n  market(symbol: $symbol) {\n    symbol\n    price\n    meta {\n      source\n      venue\n      asOf\n      ageMs\n      stale\n    }\n    funding {\n      rate\n      predictedRate\n      annualizedRate\n      nextFundingTime\n      timeToNextFundingMs\n      zScore\n      mean\n      stdDev\n      sampleSize\n      trend\n      isExtreme\n      isAnomaly\n      signal\n      score\n      warmingUp\n      factors {\n        name\n        value\n        weight\n        contribution\n        note\n      }\n      meta {\n        source\n        venue\n        asOf\n        ageMs\n        stale\n        methodologyVersion\n      }\n    }\n  }\n}": typeof types.MarketFundingDocument,
    "query Snapshots($kind: AnalysisKind!, $symbol: String!, $from: DateTime, $to: DateTime, $limit: Int) {\n  snapshots(kind: $kind, symbol: $symbol, from: $from, to: $to, limit: $limit) {\n    kind\n    symbol\n    asOf\n    methodologyVersion\n    source\n    venue\n    payload\n  }\n}": typeof types.SnapshotsDocument,
};
const documents: Documents = {
    "subscription AnalysisUpdated($kind: AnalysisKind!, $symbol: String!) {\n  analysisUpdated(kind: $kind, symbol: $symbol) {\n    kind\n    symbol\n    asOf\n    meta {\n      source\n      venue\n      stale\n      methodologyVersion\n    }\n    payload\n  }\n}": types.AnalysisUpdatedDocument,
    "subscription FundingUpdated($symbol: String!) {\n  fundingUpdated(symbol: $symbol) {\n    symbol\n    rate\n    predictedRate\n    zScore\n    trend\n    signal\n    score\n    meta {\n      source\n      asOf\n      stale\n    }\n  }\n}": types.FundingUpdatedDocument,
    "query Health {\n  health {\n    status\n    ready\n    role\n    database {\n      status\n      kind\n      latencyMs\n      error\n    }\n    pubsub {\n      status\n      kind\n      latencyMs\n      error\n    }\n    marketSource {\n      status\n      origin\n      venue\n      state\n      lastEventAt\n      lastError\n    }\n    snapshots {\n      buffered\n      written\n      dropped\n      failedFlushes\n      lastError\n    }\n  }\n  symbols {\n    symbol\n    baseAsset\n    quoteAsset\n    fundingIntervalHours\n  }\n}": types.HealthDocument,
    "query MarketFunding($symbol: String!) {\n  market(symbol: $symbol) {\n    symbol\n    price\n    meta {\n      source\n      venue\n      asOf\n      ageMs\n      stale\n    }\n    funding {\n      rate\n      predictedRate\n      annualizedRate\n      nextFundingTime\n      timeToNextFundingMs\n      zScore\n      mean\n      stdDev\n      sampleSize\n      trend\n      isExtreme\n      isAnomaly\n      signal\n      score\n      warmingUp\n      factors {\n        name\n        value\n        weight\n        contribution\n        note\n      }\n      meta {\n        source\n        venue\n        asOf\n        ageMs\n        stale\n        methodologyVersion\n      }\n    }\n  }\n}": types.MarketFundingDocument,
    "query Snapshots($kind: AnalysisKind!, $symbol: String!, $from: DateTime, $to: DateTime, $limit: Int) {\n  snapshots(kind: $kind, symbol: $symbol, from: $from, to: $to, limit: $limit) {\n    kind\n    symbol\n    asOf\n    methodologyVersion\n    source\n    venue\n    payload\n  }\n}": types.SnapshotsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription AnalysisUpdated($kind: AnalysisKind!, $symbol: String!) {\n  analysisUpdated(kind: $kind, symbol: $symbol) {\n    kind\n    symbol\n    asOf\n    meta {\n      source\n      venue\n      stale\n      methodologyVersion\n    }\n    payload\n  }\n}"): (typeof documents)["subscription AnalysisUpdated($kind: AnalysisKind!, $symbol: String!) {\n  analysisUpdated(kind: $kind, symbol: $symbol) {\n    kind\n    symbol\n    asOf\n    meta {\n      source\n      venue\n      stale\n      methodologyVersion\n    }\n    payload\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription FundingUpdated($symbol: String!) {\n  fundingUpdated(symbol: $symbol) {\n    symbol\n    rate\n    predictedRate\n    zScore\n    trend\n    signal\n    score\n    meta {\n      source\n      asOf\n      stale\n    }\n  }\n}"): (typeof documents)["subscription FundingUpdated($symbol: String!) {\n  fundingUpdated(symbol: $symbol) {\n    symbol\n    rate\n    predictedRate\n    zScore\n    trend\n    signal\n    score\n    meta {\n      source\n      asOf\n      stale\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Health {\n  health {\n    status\n    ready\n    role\n    database {\n      status\n      kind\n      latencyMs\n      error\n    }\n    pubsub {\n      status\n      kind\n      latencyMs\n      error\n    }\n    marketSource {\n      status\n      origin\n      venue\n      state\n      lastEventAt\n      lastError\n    }\n    snapshots {\n      buffered\n      written\n      dropped\n      failedFlushes\n      lastError\n    }\n  }\n  symbols {\n    symbol\n    baseAsset\n    quoteAsset\n    fundingIntervalHours\n  }\n}"): (typeof documents)["query Health {\n  health {\n    status\n    ready\n    role\n    database {\n      status\n      kind\n      latencyMs\n      error\n    }\n    pubsub {\n      status\n      kind\n      latencyMs\n      error\n    }\n    marketSource {\n      status\n      origin\n      venue\n      state\n      lastEventAt\n      lastError\n    }\n    snapshots {\n      buffered\n      written\n      dropped\n      failedFlushes\n      lastError\n    }\n  }\n  symbols {\n    symbol\n    baseAsset\n    quoteAsset\n    fundingIntervalHours\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MarketFunding($symbol: String!) {\n  market(symbol: $symbol) {\n    symbol\n    price\n    meta {\n      source\n      venue\n      asOf\n      ageMs\n      stale\n    }\n    funding {\n      rate\n      predictedRate\n      annualizedRate\n      nextFundingTime\n      timeToNextFundingMs\n      zScore\n      mean\n      stdDev\n      sampleSize\n      trend\n      isExtreme\n      isAnomaly\n      signal\n      score\n      warmingUp\n      factors {\n        name\n        value\n        weight\n        contribution\n        note\n      }\n      meta {\n        source\n        venue\n        asOf\n        ageMs\n        stale\n        methodologyVersion\n      }\n    }\n  }\n}"): (typeof documents)["query MarketFunding($symbol: String!) {\n  market(symbol: $symbol) {\n    symbol\n    price\n    meta {\n      source\n      venue\n      asOf\n      ageMs\n      stale\n    }\n    funding {\n      rate\n      predictedRate\n      annualizedRate\n      nextFundingTime\n      timeToNextFundingMs\n      zScore\n      mean\n      stdDev\n      sampleSize\n      trend\n      isExtreme\n      isAnomaly\n      signal\n      score\n      warmingUp\n      factors {\n        name\n        value\n        weight\n        contribution\n        note\n      }\n      meta {\n        source\n        venue\n        asOf\n        ageMs\n        stale\n        methodologyVersion\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Snapshots($kind: AnalysisKind!, $symbol: String!, $from: DateTime, $to: DateTime, $limit: Int) {\n  snapshots(kind: $kind, symbol: $symbol, from: $from, to: $to, limit: $limit) {\n    kind\n    symbol\n    asOf\n    methodologyVersion\n    source\n    venue\n    payload\n  }\n}"): (typeof documents)["query Snapshots($kind: AnalysisKind!, $symbol: String!, $from: DateTime, $to: DateTime, $limit: Int) {\n  snapshots(kind: $kind, symbol: $symbol, from: $from, to: $to, limit: $limit) {\n    kind\n    symbol\n    asOf\n    methodologyVersion\n    source\n    venue\n    payload\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;