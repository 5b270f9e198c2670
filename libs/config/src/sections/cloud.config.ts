import { IsBoolean, IsIn, IsInt, IsNumber, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateBy } from 'class-validator';

// class-validator runs the lowest decorator first; with stopAtFirstError the type check sits lowest.

export const CloudMatcherModes = ['int8', 'exact'] as const;
export type CloudMatcherMode = (typeof CloudMatcherModes)[number];
export const CloudAggregates = ['best', 'topk-mean'] as const;
export type CloudAggregate = (typeof CloudAggregates)[number];
export const CloudCenterings = ['gallery', 'none'] as const;
export type CloudCentering = (typeof CloudCenterings)[number];

/** Settings of the cloud (face-recognition) module. Every property needs class-validator decorators (unknown keys are errors). */
export class CloudConfig {
  /** SQLite file of the gallery, relative to dataDir unless absolute. */
  @MinLength(1) @IsString() galleryPath = 'gallery.sqlite';

  /**
   * Face description (embedding) model: a model name from @vladmandic/human's bundled `models/`
   * folder (`faceres`, 1024-d) or an absolute path to a compatible tfjs graph model json.
   */
  @MinLength(1) @IsString() descriptionModel = 'faceres';

  /**
   * Feed the description model a face aligned by five facemesh landmarks to the ArcFace template
   * (rather than Human's own crop). Embeddings of the two ways are not comparable (stored under
   * different model names: re-enroll when switching).
   */
  @IsBoolean() alignFaces = true;

  /**
   * `gallery`: subtract the enrolled people's mean face (each person weighs the same) before the
   * cosine; `none`: raw cosine. `matchThreshold`/`unknownThreshold` apply to centered similarities,
   * `rawMatchThreshold`/`rawUnknownThreshold` to raw ones (README, Figures).
   */
  @IsIn(CloudCenterings as unknown as string[], { message: `centering must be one of: ${CloudCenterings.join(', ')}` })
  centering: CloudCentering = 'gallery';

  /**
   * Upper threshold: a track whose pooled similarity to its best person is at or above it is named
   * (and a stranger is the best-matching stored unknown). Chosen by a rule from leave-one-person-out
   * runs of `npm run eval:faces` (README, Figures).
   */
  @Min(-1) @Max(1) @IsNumber() matchThreshold = 0.29;

  /**
   * Lower threshold: below it a track is unknown (an intruder, given evidence); between the two it is
   * undecided (no identity event, no alert: keep looking). Must not exceed `matchThreshold`.
   */
  @ValidateBy({
    name: 'notAboveMatchThreshold',
    validator: {
      validate: (value: unknown, args) => typeof value === 'number' && value <= (args?.object as CloudConfig).matchThreshold,
      defaultMessage: () => 'unknownThreshold must not exceed matchThreshold',
    },
  })
  @Min(-1) @Max(1) @IsNumber() unknownThreshold = 0.2;

  /**
   * Upper threshold for raw cosines: used instead of `matchThreshold` whenever the gallery compares
   * raw embeddings (`centering: none`, or `gallery` with fewer than 2 enrolled people, so no mean
   * face). Same rule, measured with `centering: none` (README, Figures).
   */
  @Min(-1) @Max(1) @IsNumber() rawMatchThreshold = 0.63;

  /** Lower threshold for raw cosines (see `rawMatchThreshold`). Must not exceed `rawMatchThreshold`. */
  @ValidateBy({
    name: 'notAboveRawMatchThreshold',
    validator: {
      validate: (value: unknown, args) => typeof value === 'number' && value <= (args?.object as CloudConfig).rawMatchThreshold,
      defaultMessage: () => 'rawUnknownThreshold must not exceed rawMatchThreshold',
    },
  })
  @Min(-1) @Max(1) @IsNumber() rawUnknownThreshold = 0.54;

  /** A track's similarity to a person: the quality-weighted mean of its best `trackTopK` faces' similarities. */
  @Min(1) @Max(20) @IsInt() trackTopK = 3;

  /** Smallest face (shorter side of its box, source pixels) that may count as evidence for an intruder. */
  @Min(0) @Max(4096) @IsNumber() minFaceSize = 36;

  /** Lowest face quality score (the fog's `quality.score`, or the cloud's own detector score) that may count as evidence. */
  @Min(0) @Max(1) @IsNumber() minFaceQuality = 0.4;

  /** Tracks remembered for pooling; the longest idle is forgotten first. */
  @Min(1) @Max(100_000) @IsInt() maxTracks = 2000;

  /** A track not seen for this long starts afresh (ms). */
  @Min(1000) @Max(86_400_000) @IsInt() trackIdleMs = 120_000;

  /**
   * A track still undecided and without a new face for this long has ended: it is decided from its
   * pooled evidence (`decideAtTrackEnd`, README "Track end"). 0: never by time. Below `trackIdleMs`.
   */
  @ValidateBy({
    name: 'belowTrackIdleMs',
    validator: {
      validate: (value: unknown, args) => typeof value === 'number' && value < (args?.object as CloudConfig).trackIdleMs,
      defaultMessage: () => 'trackEndMs must be below trackIdleMs',
    },
  })
  @Min(0) @Max(86_400_000) @IsInt() trackEndMs = 10_000;

  /**
   * A track still undecided after this many quality faces is decided at once from them, as at its end
   * (the fog sends at most `fog.crops.maxPerTrack`, 3 by default, per track). 0: never by count.
   */
  @Min(0) @Max(1000) @IsInt() trackEndFaces = 3;

  /**
   * Track end, centered cosines: an ended undecided track whose pooled best similarity is below this
   * (never below `unknownThreshold`) is a stranger. Both track-end values come from the rule in the
   * face-recognition README "Track end" (`eval:faces --lopo` prints them).
   */
  @Min(-1) @Max(1) @IsNumber() trackEndThreshold = 0.2;

  /** Track end, centered cosines: pooled best minus second best below this makes the ended track a stranger. */
  @Min(0) @Max(2) @IsNumber() trackEndMargin = 0.07;

  /** `trackEndThreshold` for raw cosines (never below `rawUnknownThreshold`). */
  @Min(-1) @Max(1) @IsNumber() rawTrackEndThreshold = 0.54;

  /** `trackEndMargin` for raw cosines (the rule gives 0 there: raw margins do not separate strangers). */
  @Min(0) @Max(2) @IsNumber() rawTrackEndMargin = 0;

  /** Person score: its `best` enrolled face, or the mean of its best `topK` (`topk-mean`). */
  @IsIn(CloudAggregates as unknown as string[], { message: `aggregate must be one of: ${CloudAggregates.join(', ')}` })
  aggregate: CloudAggregate = 'best';

  @Min(1) @Max(20) @IsInt() topK = 3;

  /** `int8`: int8 SIMD scan + exact float32 re-ranking of the best `rerankCandidates`; `exact`: float32 SIMD scan of all. */
  @IsIn(CloudMatcherModes as unknown as string[], { message: `matcher must be one of: ${CloudMatcherModes.join(', ')}` })
  matcher: CloudMatcherMode = 'int8';

  @Min(1) @Max(1024) @IsInt() rerankCandidates = 32;

  /** Grey border (fraction of the shorter side, at most 64 px) added around images before face detection: tight crops need it. */
  @Min(0) @Max(1) @IsNumber() cropPadding = 0.27;

  /** Face detector confidence below which a face is ignored. */
  @Min(0) @Max(1) @IsNumber() minFaceScore = 0.3;

  /** Largest accepted upload (enrollment, recognition), bytes. Larger: HTTP 413. */
  @Min(1024) @Max(64 * 1024 * 1024) @IsInt() maxUploadBytes = 10 * 1024 * 1024;

  /** Most images in one enrollment request. */
  @Min(1) @Max(100) @IsInt() maxImagesPerRequest = 20;

  /** Faces (embedding + crop) kept per unknown identity; the lowest-quality ones are dropped first. */
  @Min(1) @Max(100) @IsInt() unknownFacesPerIdentity = 5;

  /** Strangers not seen for this many days are forgotten (checked at boot and hourly); 0 keeps them forever. */
  @Min(0) @Max(3650) @IsNumber() unknownRetentionDays = 30;

  /** Identity decisions kept in the sightings table (`GET /sightings`); the oldest go first. */
  @Min(100) @Max(100_000_000) @IsInt() maxSightings = 1_000_000;

  /** Alert kind raised for an unknown face. */
  @Matches(/^[a-z][a-z0-9-]{0,63}$/) @MaxLength(64) @IsString() intruderAlertKind = 'intruder';
}
