import { useRef, useState, type ReactNode } from 'react';
import type { AdCopy, ImagePrompt, VideoPrompt } from '@kiki/shared/domain/creative.schema';
import { CopyEditForm, type SaveCopy } from './CopyEditForm';

interface Props {
  copies: readonly AdCopy[];
  imagePrompts: readonly ImagePrompt[];
  videoPrompts: readonly VideoPrompt[];
  /** The copy the ad runs, highlighted among the variants. */
  activeCopyId?: string | null;
  /** When given, each copy variant gets an "Edit" button that saves through this. */
  onSaveCopy?: SaveCopy;
  /** Shown after a copy's texts, e.g. a "Waiting to sync" marker for the copy just saved. */
  copyMarker?: (copy: AdCopy) => ReactNode;
}

/** A campaign's copy variants and creative prompts. */
export function Creatives({ copies, imagePrompts, videoPrompts, activeCopyId = null, onSaveCopy, copyMarker }: Props) {
  const [editingId, setEditingId] = useState<string | null>(null);
  const editButtons = useRef(new Map<string, HTMLButtonElement>());
  const closeEditor = (copyId: string) => {
    setEditingId(null);
    // Back to the button that opened the form, so keyboard users keep their place.
    requestAnimationFrame(() => editButtons.current.get(copyId)?.focus());
  };
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
                  {copyMarker?.(copy)}
                </div>
                {onSaveCopy !== undefined && editingId === copy.id ? (
                  <CopyEditForm copy={copy} onSave={onSaveCopy} onClose={() => closeEditor(copy.id)} />
                ) : (
                  <>
                    <p className="copy-headline">{copy.headline}</p>
                    <p className="copy-text">{copy.primaryText}</p>
                    <p className="copy-cta">
                      <span className="muted">Call to action:</span> {copy.callToAction}
                    </p>
                    {onSaveCopy !== undefined && (
                      <button
                        type="button"
                        className="button button-small copy-edit-button"
                        aria-label={`Edit copy variant ${copy.variantLabel}`}
                        ref={(el) => {
                          if (el === null) editButtons.current.delete(copy.id);
                          else editButtons.current.set(copy.id, el);
                        }}
                        onClick={() => setEditingId(copy.id)}
                      >
                        Edit
                      </button>
                    )}
                  </>
                )}
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
