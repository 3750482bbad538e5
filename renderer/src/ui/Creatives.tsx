import type { AdCopy, ImagePrompt, VideoPrompt } from '@kiki/shared/domain/creative.schema';

interface Props {
  copies: readonly AdCopy[];
  imagePrompts: readonly ImagePrompt[];
  videoPrompts: readonly VideoPrompt[];
  /** The copy the ad runs, highlighted among the variants. */
  activeCopyId?: string | null;
}

/** A campaign's copy variants and creative prompts. */
export function Creatives({ copies, imagePrompts, videoPrompts, activeCopyId = null }: Props) {
  return (
    <div className="creatives">
      <section aria-labelledby="copies-heading">
        <h2 id="copies-heading" className="section-title">
          Copy variants <span className="count">{copies.length}</span>
        </h2>
        {copies.length === 0 ? (
          <p className="muted">No copy variants yet.</p>
        ) : (
          <ul className="card-list">
            {copies.map((copy) => (
              <li key={copy.id} className={`copy-card${copy.id === activeCopyId ? ' copy-card-active' : ''}`}>
                <div className="copy-meta">
                  <span className="copy-variant">Variant {copy.variantLabel}</span>
                  <span className="muted">{copy.generatedBy === 'ai' ? 'AI-generated' : 'Written by hand'}</span>
                  {copy.id === activeCopyId && <span className="badge badge-live">Used by this ad</span>}
                </div>
                <p className="copy-headline">{copy.headline}</p>
                <p className="copy-text">{copy.primaryText}</p>
                <p className="copy-cta">
                  <span className="muted">Call to action:</span> {copy.callToAction}
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="image-prompts-heading">
        <h2 id="image-prompts-heading" className="section-title">
          Image prompts <span className="count">{imagePrompts.length}</span>
        </h2>
        {imagePrompts.length === 0 ? (
          <p className="muted">No image prompts yet.</p>
        ) : (
          <ul className="card-list">
            {imagePrompts.map((prompt) => (
              <li key={prompt.id} className="prompt-card">
                <p>{prompt.prompt}</p>
                <p className="muted">
                  {prompt.aspectRatio}
                  {prompt.style !== null && ` · ${prompt.style}`}
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="video-prompts-heading">
        <h2 id="video-prompts-heading" className="section-title">
          Video prompts <span className="count">{videoPrompts.length}</span>
        </h2>
        {videoPrompts.length === 0 ? (
          <p className="muted">No video prompts yet.</p>
        ) : (
          <ul className="card-list">
            {videoPrompts.map((prompt) => (
              <li key={prompt.id} className="prompt-card">
                <p>{prompt.prompt}</p>
                <p className="muted">
                  {prompt.durationSeconds}s · {prompt.aspectRatio}
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
