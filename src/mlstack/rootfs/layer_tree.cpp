// SPDX-License-Identifier: MIT
#include "mlstack/rootfs/layer_tree.hpp"

#include <cerrno>

namespace mlstack::rootfs {
namespace {

constexpr std::string_view k_whiteout = ".wh.";
constexpr std::string_view k_opaque = ".wh..wh..opq";

io::IoStatus status(io::IoStatus::Kind kind, int err) {
  io::IoStatus s;
  s.kind = kind;
  s.errno_value = err;
  return s;
}

}  // namespace

bool normalize_member_path(std::string_view name, std::vector<std::string>& out) {
  out.clear();
  std::size_t i = 0;
  while (i <= name.size()) {
    const std::size_t slash = std::min(name.find('/', i), name.size());
    const std::string_view part = name.substr(i, slash - i);
    i = slash + 1;
    if (part.empty() || part == ".") {
      continue;
    }
    if (part == "..") {
      if (out.empty()) {
        return false;
      }
      out.pop_back();
      continue;
    }
    out.emplace_back(part);
  }
  return true;
}

LayerTree::LayerTree() {
  Node root;
  root.kind = io::FileKind::directory;
  root.mode = 0755;
  root.inode = 1;
  m_nodes.push_back(std::move(root));
}

std::uint32_t LayerTree::make(std::uint32_t parent, const std::string& name, std::uint32_t layer) {
  const auto index = static_cast<std::uint32_t>(m_nodes.size());
  Node n;
  n.name = name;
  n.parent = parent;
  n.layer = layer;
  n.inode = m_next_inode++;
  m_nodes.push_back(std::move(n));
  m_nodes[parent].children[name] = index;
  ++m_live;
  return index;
}

void LayerTree::remove(std::uint32_t node) {
  Node& n = m_nodes[node];
  if (n.removed || node == k_root) {
    return;
  }
  m_nodes[n.parent].children.erase(n.name);
  // The subtree, without touching the maps being walked.
  std::vector<std::uint32_t> stack{node};
  while (!stack.empty()) {
    Node& x = m_nodes[stack.back()];
    stack.pop_back();
    for (const auto& [name, child] : x.children) {
      stack.push_back(child);
    }
    x.children.clear();
    x.removed = true;
    --m_live;
  }
}

void LayerTree::hide_lower(std::uint32_t node, std::uint32_t layer) {
  if (m_nodes[node].layer < layer) {
    remove(node);
    return;
  }
  std::vector<std::uint32_t> children;
  children.reserve(m_nodes[node].children.size());
  for (const auto& [name, child] : m_nodes[node].children) {
    children.push_back(child);
  }
  for (const std::uint32_t c : children) {
    hide_lower(c, layer);
  }
}

const Node* LayerTree::find_literal(const std::vector<std::string>& path) const {
  std::uint32_t cur = k_root;
  for (const std::string& part : path) {
    const Node& n = m_nodes[cur];
    if (n.kind != io::FileKind::directory) {
      return nullptr;
    }
    const auto it = n.children.find(part);
    if (it == n.children.end()) {
      return nullptr;
    }
    cur = it->second;
  }
  return &m_nodes[cur];
}

Result<void> LayerTree::add(std::uint32_t layer, const std::vector<std::string>& path,
                            io::FileKind kind, std::uint64_t size, std::int64_t mtime_ns,
                            std::uint32_t mode, std::string_view symlink,
                            const std::vector<std::string>* hardlink, DataRef data) {
  if (path.empty()) {  // the root itself (`./`)
    if (kind == io::FileKind::directory && hardlink == nullptr) {
      m_nodes[k_root].mtime_ns = mtime_ns;
      m_nodes[k_root].mode = mode;
    }
    return {};
  }
  // The parents: made where missing, a non-directory replaced (as the overlay shows a
  // folder of an upper layer over a file or link of a lower one).
  std::uint32_t cur = k_root;
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    const auto it = m_nodes[cur].children.find(path[i]);
    std::uint32_t next = 0;
    if (it == m_nodes[cur].children.end()) {
      next = make(cur, path[i], layer);
      m_nodes[next].kind = io::FileKind::directory;
      m_nodes[next].mode = 0755;
      m_nodes[next].mtime_ns = mtime_ns;
    } else if (m_nodes[it->second].kind != io::FileKind::directory) {
      remove(it->second);
      next = make(cur, path[i], layer);
      m_nodes[next].kind = io::FileKind::directory;
      m_nodes[next].mode = 0755;
      m_nodes[next].mtime_ns = mtime_ns;
    } else {
      next = it->second;
      m_nodes[next].layer = layer;
    }
    cur = next;
  }
  const std::string& base = path.back();
  if (std::string_view(base).starts_with(k_whiteout)) {
    if (base == k_opaque) {
      std::vector<std::uint32_t> children;
      for (const auto& [name, child] : m_nodes[cur].children) {
        children.push_back(child);
      }
      for (const std::uint32_t c : children) {
        hide_lower(c, layer);
      }
    } else if (!std::string_view(base).substr(k_whiteout.size()).starts_with(k_whiteout)) {
      // `.wh..wh.*` other than the opaque marker are aufs's own files: ignored.
      const auto it = m_nodes[cur].children.find(base.substr(k_whiteout.size()));
      if (it != m_nodes[cur].children.end()) {
        hide_lower(it->second, layer);
      }
    }
    return {};
  }
  Node copy;
  if (hardlink != nullptr) {
    const Node* target = find_literal(*hardlink);
    if (target == nullptr) {
      return unexpected(make_error(ErrorCode::invalid_data,
                                   "it is a hard link to a member that is not in this or a lower "
                                   "layer"));
    }
    if (target->kind == io::FileKind::directory) {
      return unexpected(make_error(ErrorCode::invalid_data, "it is a hard link to a directory"));
    }
    copy.kind = target->kind;
    copy.size = target->size;
    copy.mtime_ns = target->mtime_ns;
    copy.mode = target->mode;
    copy.inode = target->inode;
    copy.link = target->link;
    copy.data = target->data;
  } else {
    copy.kind = kind;
    copy.size = kind == io::FileKind::regular ? size : 0;
    copy.mtime_ns = mtime_ns;
    copy.mode = mode;
    copy.link = std::string(symlink);
    copy.data = data;
  }
  const auto it = m_nodes[cur].children.find(base);
  std::uint32_t target = 0;
  if (it != m_nodes[cur].children.end() && m_nodes[it->second].kind == io::FileKind::directory &&
      copy.kind == io::FileKind::directory) {
    target = it->second;  // a directory over a directory: merged
  } else {
    if (it != m_nodes[cur].children.end()) {
      remove(it->second);
    }
    target = make(cur, base, layer);
  }
  Node& n = m_nodes[target];
  const std::uint64_t inode = hardlink != nullptr ? copy.inode : n.inode;
  n.kind = copy.kind;
  n.size = copy.size;
  n.mtime_ns = copy.mtime_ns;
  n.mode = copy.mode;
  n.inode = inode;
  n.link = std::move(copy.link);
  n.data = copy.data;
  n.layer = layer;
  return {};
}

Lookup LayerTree::lookup(std::string_view path, io::Follow follow) const {
  return lookup_from(k_root, path, follow);
}

Lookup LayerTree::lookup_from(std::uint32_t start, std::string_view path, io::Follow follow) const {
  // Components still to walk, the next one last.
  std::vector<std::string_view> pending;
  const auto push_path = [&pending](std::string_view p) {
    std::size_t end = p.size();
    while (true) {
      const std::size_t slash = end == 0 ? std::string_view::npos : p.rfind('/', end - 1);
      const std::size_t begin = slash == std::string_view::npos ? 0 : slash + 1;
      const std::string_view part = p.substr(begin, end - begin);
      if (!part.empty() && part != ".") {
        pending.push_back(part);
      }
      if (slash == std::string_view::npos) {
        break;
      }
      end = slash;
    }
  };
  push_path(path);
  std::uint32_t cur = path.starts_with('/') ? k_root : start;
  int links = 0;
  while (!pending.empty()) {
    const std::string_view part = pending.back();
    pending.pop_back();
    const Node& dir = m_nodes[cur];
    if (dir.kind != io::FileKind::directory) {
      return {status(io::IoStatus::Kind::not_directory, ENOTDIR), 0};
    }
    if (part == "..") {
      cur = dir.parent;
      continue;
    }
    const auto it = dir.children.find(part);
    if (it == dir.children.end()) {
      return {status(io::IoStatus::Kind::not_found, ENOENT), 0};
    }
    const Node& child = m_nodes[it->second];
    if (child.kind == io::FileKind::symlink && (!pending.empty() || follow == io::Follow::yes)) {
      if (++links > k_max_links) {
        return {status(io::IoStatus::Kind::loop, ELOOP), 0};
      }
      if (child.link.empty()) {
        return {status(io::IoStatus::Kind::not_found, ENOENT), 0};
      }
      // The target's text lives in the node, which outlives this lookup.
      push_path(child.link);
      if (child.link.starts_with('/')) {
        cur = k_root;
      }
      continue;
    }
    cur = it->second;
  }
  return {io::IoStatus{}, cur};
}

std::string LayerTree::path_of(std::uint32_t node) const {
  if (node == k_root) {
    return "/";
  }
  std::vector<const std::string*> parts;
  for (std::uint32_t n = node; n != k_root; n = m_nodes[n].parent) {
    parts.push_back(&m_nodes[n].name);
  }
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    out += '/';
    out += **it;
  }
  return out;
}

void LayerTree::walk(const std::function<void(const std::string&, const Node&)>& visit) const {
  std::vector<std::pair<std::uint32_t, std::string>> stack{{k_root, ""}};
  while (!stack.empty()) {
    auto [index, path] = std::move(stack.back());
    stack.pop_back();
    const Node& n = m_nodes[index];
    if (index != k_root) {
      visit(path, n);
    }
    for (auto it = n.children.rbegin(); it != n.children.rend(); ++it) {
      stack.emplace_back(it->second, path + "/" + it->first);
    }
  }
}

}  // namespace mlstack::rootfs
