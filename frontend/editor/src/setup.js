// What the editor is: Python with line numbers, undo, search, bracket matching and closing,
// Tab/Shift-Tab indenting, and a theme that follows the system's light or dark setting.
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import {
  bracketMatching, defaultHighlightStyle, foldGutter, foldKeymap, indentOnInput, indentUnit, syntaxHighlighting,
} from "@codemirror/language";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { Compartment, EditorState, Prec } from "@codemirror/state";
import { oneDark } from "@codemirror/theme-one-dark";
import {
  EditorView, crosshairCursor, drawSelection, dropCursor, highlightActiveLine, highlightActiveLineGutter,
  highlightSpecialChars, keymap, lineNumbers, rectangularSelection,
} from "@codemirror/view";

const darkQuery = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

function themeFor(dark) {
  return dark ? oneDark : syntaxHighlighting(defaultHighlightStyle, { fallback: true });
}

// The type; the box's size comes from the page's CSS (static/practice.css).
const frame = EditorView.theme({
  "&": { fontSize: "14px" },
  ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "1.5" },
});

/**
 * A new editor state holding `doc`. `shortcuts` are the page's own keys ([{key, run}]); they win
 * over the editor's (Mod-Enter would otherwise insert a blank line). `onChange(text)` runs after
 * every edit.
 */
export function createState(doc, { shortcuts, onChange, label }) {
  const theme = new Compartment();
  const extensions = [
    lineNumbers(), highlightActiveLineGutter(), highlightSpecialChars(), history(), foldGutter(),
    drawSelection(), dropCursor(), EditorState.allowMultipleSelections.of(true), indentOnInput(),
    bracketMatching(), closeBrackets(), rectangularSelection(),
    crosshairCursor(), highlightActiveLine(), highlightSelectionMatches(),
    indentUnit.of("    "), EditorState.tabSize.of(4), python(), frame,
    theme.of(themeFor(darkQuery !== null && darkQuery.matches)),
    Prec.highest(keymap.of(shortcuts.map(({ key, run }) => ({ key, run: () => { run(); return true; } })))),
    keymap.of([
      ...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...foldKeymap, indentWithTab,
    ]),
    EditorView.updateListener.of((update) => { if (update.docChanged) onChange(update.state.doc.toString()); }),
    EditorView.contentAttributes.of({ "aria-label": label }),
  ];
  return { state: EditorState.create({ doc, extensions }), theme };
}

/** Switches `view` between the light and the dark theme whenever the system does. */
export function followSystemTheme(view, theme) {
  if (darkQuery === null) return;
  darkQuery.addEventListener("change", (event) => {
    view.dispatch({ effects: theme.reconfigure(themeFor(event.matches)) });
  });
}

export { EditorView };
