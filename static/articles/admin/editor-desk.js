// The article form around the body editor: a word count (each Chinese character counts as a
// word), autosave of the text in progress, a warning before leaving unsaved changes, and the
// editor's toolbar in the admin's language. Loaded by the editor before it starts, so the
// "prose-editor:ready" listener below is always in place in time.
const gettext = window.gettext || ((text) => text)
const interpolate = window.interpolate || ((format, values) => format.replace("%s", values[0]))

const AUTOSAVE_AFTER_MS = 3000
const AUTOSAVE_AT_LEAST_EVERY_MS = 20000
const TEXT_FIELDS = ["title", "subtitle", "summary", "body"]

// A Chinese character is a word; so is a run of other letters and digits (Win11, 5G, it's).
const WORDS = /\p{Script=Han}|(?:(?!\p{Script=Han})[\p{L}\p{N}])+(?:['’.-](?:(?!\p{Script=Han})[\p{L}\p{N}])+)*/gu

export function countWords(text) {
  return (text.match(WORDS) || []).length
}

// The editor's toolbar names its buttons in English; these are the names it uses.
const TOOLBAR_WORDS = {
  bold: gettext("bold"),
  italic: gettext("italic"),
  underline: gettext("underline"),
  strike: gettext("strike"),
  subscript: gettext("subscript"),
  superscript: gettext("superscript"),
  "unordered list": gettext("unordered list"),
  "ordered list": gettext("ordered list"),
  blockquote: gettext("blockquote"),
  "horizontal rule": gettext("horizontal rule"),
  figure: gettext("figure"),
  "insert link": gettext("insert link"),
  "remove link": gettext("remove link"),
  paragraph: gettext("paragraph"),
  Paragraph: gettext("Paragraph"),
  undo: gettext("undo"),
  redo: gettext("redo"),
  "Insert table": gettext("Insert table"),
  "edit HTML": gettext("edit HTML"),
  "Merge cells": gettext("Merge cells"),
  "Split cell": gettext("Split cell"),
  "Add column": gettext("Add column"),
  "Delete column": gettext("Delete column"),
  "Add row": gettext("Add row"),
  "Delete row": gettext("Delete row"),
  "Toggle header cell": gettext("Toggle header cell"),
  "Delete table": gettext("Delete table"),
  "Code block": gettext("Code block"),
  Code: gettext("Code"),
}
const HEADING = /^[Hh]eading (\d)$/

// What django-prose-editor asks Django's catalogue for itself (window.gettext, from the admin's
// jsi18n script), listed here so that makemessages keeps their translations in our catalogue.
const gettext_noop = window.gettext_noop || ((text) => text)
export const EDITOR_OWN_WORDS = [
  gettext_noop("Add caption"),
  gettext_noop("Alternative Text"),
  gettext_noop("Browse..."),
  gettext_noop("Bullets"),
  gettext_noop("Cancel"),
  gettext_noop("Caption"),
  gettext_noop("Columns"),
  gettext_noop("Decimal numbers"),
  gettext_noop("Edit Figure"),
  gettext_noop("Edit HTML"),
  gettext_noop("Edit Image"),
  gettext_noop("Edit Link"),
  gettext_noop("Image URL"),
  gettext_noop("Include header row"),
  gettext_noop("Insert Figure"),
  gettext_noop("Insert Table"),
  gettext_noop("Insert"),
  gettext_noop("List properties"),
  gettext_noop("List type"),
  gettext_noop("Lowercase Roman numerals"),
  gettext_noop("Lowercase letters"),
  gettext_noop("Open in new window"),
  gettext_noop("Prettify"),
  gettext_noop("Remove caption"),
  gettext_noop("Rows"),
  gettext_noop("Start at"),
  gettext_noop("Table Properties"),
  gettext_noop("The HTML contents of the editor. Note that the allowed HTML is restricted by the editor schema."),
  gettext_noop("Title"),
  gettext_noop("Toggle fullscreen"),
  gettext_noop("URL"),
  gettext_noop("Update"),
  gettext_noop("Uppercase Roman numerals"),
  gettext_noop("Uppercase letters"),
]

function translated(text) {
  const heading = HEADING.exec(text)
  if (heading) return interpolate(gettext("Heading %s"), [heading[1]])
  return TOOLBAR_WORDS[text]
}

function translateToolbar(root) {
  for (const element of root.querySelectorAll(".prose-menubar [title], .prose-menubar [aria-label]")) {
    for (const attribute of ["title", "aria-label"]) {
      const words = translated(element.getAttribute(attribute) || "")
      if (words && words !== element.getAttribute(attribute)) element.setAttribute(attribute, words)
    }
  }
  for (const element of root.querySelectorAll(".prose-menubar__picker *, .prose-menubar__selected *")) {
    if (element.children.length === 0) {
      const words = translated(element.textContent.trim())
      // Only a real change: writing the same text would wake the observer below again, for ever.
      if (words && words !== element.textContent) element.textContent = words
    }
  }
}

function keepToolbarTranslated(root) {
  translateToolbar(root)
  // The toolbar is drawn after the editor starts, and redraws its block-type menu as the cursor moves.
  const observer = new MutationObserver(() => {
    observer.disconnect()
    translateToolbar(root)
    observer.observe(root, { childList: true, subtree: true })
  })
  observer.observe(root, { childList: true, subtree: true })
}

function showWordCount(editor, textarea) {
  const counter = document.createElement("p")
  counter.className = "newsroom-word-count"
  counter.setAttribute("aria-live", "polite")
  const update = () => {
    const count = countWords(editor.state.doc.textBetween(0, editor.state.doc.content.size, " ", " "))
    counter.textContent = interpolate(gettext("%s words"), [count.toLocaleString()])
    counter.dataset.words = String(count)
  }
  textarea.closest(".prose-editor").after(counter)
  editor.on("update", update)
  update()
}

function setUpForm(editor) {
  const desk = document.getElementById("article-desk")
  const form = desk && desk.closest("form")
  if (!form) return
  const status = document.getElementById("autosave-status")
  let dirty = false
  let submitting = false
  let timer = null
  let lastSaved = Date.now()

  const field = (name) => form.elements.namedItem(name)
  const say = (text) => {
    if (status) status.textContent = text
  }

  async function autosave() {
    timer = null
    const data = new FormData()
    data.append("csrfmiddlewaretoken", field("csrfmiddlewaretoken").value)
    data.append("article", desk.dataset.article || "")
    for (const name of TEXT_FIELDS) {
      const input = field(name)
      if (input) data.append(name, input.value)
    }
    try {
      const response = await fetch(desk.dataset.autosaveUrl, { method: "POST", body: data, credentials: "same-origin" })
      if (!response.ok) throw new Error(response.statusText)
      const answer = await response.json()
      lastSaved = Date.now()
      say(answer.message)
      desk.dataset.autosavedAt = answer.saved_at
    } catch {
      say(gettext("Autosave failed; your text is still here."))
    }
  }

  function changed() {
    dirty = true
    if (timer) clearTimeout(timer)
    const wait = Date.now() - lastSaved > AUTOSAVE_AT_LEAST_EVERY_MS ? 0 : AUTOSAVE_AFTER_MS
    timer = setTimeout(autosave, wait)
  }

  form.addEventListener("input", changed)
  form.addEventListener("change", changed)
  form.addEventListener("submit", () => {
    submitting = true
  })
  window.addEventListener("beforeunload", (event) => {
    if (dirty && !submitting) {
      event.preventDefault()
      event.returnValue = ""
    }
  })

  const pending = document.getElementById("autosave-pending")
  if (pending) {
    const text = JSON.parse(document.getElementById("autosave-data").textContent)
    pending.querySelector("[data-autosave=restore]").addEventListener("click", () => {
      for (const name of ["title", "subtitle", "summary"]) {
        if (field(name)) field(name).value = text[name]
      }
      if (editor) editor.commands.setContent(text.body)
      pending.remove()
      changed()
    })
    pending.querySelector("[data-autosave=discard]").addEventListener("click", () => {
      const data = new FormData()
      data.append("csrfmiddlewaretoken", field("csrfmiddlewaretoken").value)
      data.append("article", desk.dataset.article || "")
      data.append("discard", "1")
      fetch(desk.dataset.autosaveUrl, { method: "POST", body: data, credentials: "same-origin" })
      pending.remove()
    })
  }
}

document.addEventListener("prose-editor:ready", (event) => {
  const { editor, textarea } = event.detail
  if (textarea.name !== "body") return
  const root = textarea.closest(".prose-editor")
  keepToolbarTranslated(root)
  showWordCount(editor, textarea)
  setUpForm(editor)
})
