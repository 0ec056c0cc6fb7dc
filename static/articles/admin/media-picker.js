// The media library's picker window: choosing an image hands its address, alternative text and
// caption (with the credit) to the body editor's figure dialog that opened this window, through
// the CKEditor "browse" protocol django-prose-editor speaks (CKEDITOR.tools.callFunction).
function pick(button) {
  const number = new URLSearchParams(window.location.search).get("CKEditorFuncNum")
  const opener = window.opener
  if (!number || !opener || !opener.CKEDITOR) return
  opener.CKEDITOR.tools.callFunction(number, button.dataset.url, {
    id: button.dataset.id,
    alternative_text: button.dataset.alt,
    caption: button.dataset.caption,
  })
  window.close()
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-pick]")
  if (button) pick(button)
})

// An image just uploaded from this window is picked at once.
const chosen = document.querySelector("[data-pick][data-chosen]")
if (chosen) pick(chosen)
