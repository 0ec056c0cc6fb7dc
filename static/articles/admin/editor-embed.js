// A video embed for the article body: an <iframe> from one of the allowed hosts
// (NEWSROOM_EMBED_HOSTS, passed as the extension's "hosts" option). The server's sanitiser
// keeps such iframes (https, sandboxed) and turns any other into a link; this node only helps
// editors make ones it keeps. In the editor the embed is a box naming the address: nothing is
// loaded from the video site inside the admin.
import { Node, mergeAttributes, updateAttrsDialog } from "django-prose-editor/editor"

const gettext = window.gettext || ((text) => text)

// Page addresses people copy from the browser, turned into the player address that embeds.
const PLAYERS = [
  [/^https?:\/\/(?:www\.|m\.)?youtube\.com\/watch\?(?:.*&)?v=([\w-]{6,})/, (id) => `https://www.youtube-nocookie.com/embed/${id}`],
  [/^https?:\/\/youtu\.be\/([\w-]{6,})/, (id) => `https://www.youtube-nocookie.com/embed/${id}`],
  [/^https?:\/\/(?:www\.|m\.)?bilibili\.com\/video\/(BV\w{10})/, (id) => `https://player.bilibili.com/player.html?bvid=${id}`],
  [/^https?:\/\/v\.qq\.com\/x\/(?:cover\/\w+|page)\/(\w+)\.html/, (id) => `https://v.qq.com/txp/iframe/player.html?vid=${id}`],
  [/^https?:\/\/v\.youku\.com\/v_show\/id_([\w=]+)\.html/, (id) => `https://player.youku.com/embed/${id}`],
]

export function playerUrl(address) {
  const text = (address || "").trim()
  for (const [pattern, player] of PLAYERS) {
    const match = pattern.exec(text)
    if (match) return player(match[1])
  }
  return text.replace(/^\/\//, "https://")
}

export function hostAllowed(address, hosts) {
  let url
  try {
    url = new URL(address)
  } catch {
    return false
  }
  if (url.protocol !== "https:") return false
  const host = url.hostname.toLowerCase()
  return hosts.some((allowed) => {
    allowed = allowed.toLowerCase()
    return host === allowed.replace(/^\./, "") || (allowed.startsWith(".") && host.endsWith(allowed))
  })
}

export const Embed = Node.create({
  name: "embed",
  group: "block",
  atom: true,
  draggable: true,

  addOptions() {
    return { hosts: [] }
  },

  addAttributes() {
    return {
      src: { default: null },
      title: { default: null },
    }
  },

  parseHTML() {
    return [
      {
        tag: "iframe[src]",
        getAttrs: (element) => ({ src: element.getAttribute("src"), title: element.getAttribute("title") }),
      },
    ]
  },

  renderHTML({ HTMLAttributes }) {
    return [
      "iframe",
      mergeAttributes(HTMLAttributes, { width: "640", height: "360", allowfullscreen: "allowfullscreen" }),
    ]
  },

  addNodeView() {
    return ({ node }) => {
      const box = document.createElement("div")
      box.className = "newsroom-embed"
      box.setAttribute("contenteditable", "false")
      const label = document.createElement("strong")
      label.textContent = gettext("Embedded video")
      const address = document.createElement("span")
      address.textContent = node.attrs.src
      box.append(label, " ", address)
      return { dom: box }
    }
  },

  addCommands() {
    return {
      insertEmbed:
        () =>
        ({ editor }) => {
          const hosts = this.options.hosts
          const ask = (values, error) =>
            updateAttrsDialog(
              {
                src: {
                  type: "string",
                  title: error ? `${gettext("Video address")} (${error})` : gettext("Video address"),
                  required: true,
                },
                title: { type: "string", title: gettext("Title") },
              },
              { title: gettext("Embed a video"), submitText: gettext("Insert") },
            )(editor, values).then((answer) => {
              if (!answer) return
              const src = playerUrl(answer.src)
              if (!hostAllowed(src, hosts)) {
                ask(answer, gettext("only videos from %s can be embedded").replace("%s", hosts.join(", ")))
                return
              }
              editor.chain().focus().insertContent({ type: "embed", attrs: { src, title: answer.title || null } }).run()
            })
          ask({ src: "", title: "" }, "")
          return true
        },
    }
  },

  addMenuItems({ buttons, menu }) {
    menu.defineItem({
      name: "embed",
      groups: "nodes",
      button: buttons.material("smart_display", gettext("Embed a video")),
      command(editor) {
        editor.commands.insertEmbed()
      },
      active: () => false,
      enabled: () => true,
    })
  },
})
