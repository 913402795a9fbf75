// assembly_graph(): DOT and Mermaid from the templates' cross-stack references.
#include "drsynth/tools/graph.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <sstream>

#include "tools/diff/model.hpp"
#include "tools/diff/references.hpp"
#include "tools/diff/values.hpp"

namespace drsynth {

namespace {

using detail::AssemblyModel;
using detail::CrossReference;
using detail::StackModel;

// What people call an element: its construct path below the stack without a
// trailing "Resource"/"Default" ("Primary", "Vpc/dbSubnet1/RouteTable"),
// else its logical ID.
std::string element_name(const StackModel& s, const std::string& logical_id, const std::vector<std::string>& stack_paths) {
  std::string path = s.path_of(logical_id);
  if (path.empty()) return logical_id;
  // The stack's own construct path is the longest tree path that prefixes it and is a stack.
  std::string stack_path;
  for (const auto& p : stack_paths)
    if (path.rfind(p + "/", 0) == 0 && p.size() > stack_path.size()) stack_path = p;
  if (!stack_path.empty()) path = path.substr(stack_path.size() + 1);
  for (const char* tail : {"/Resource", "/Default"}) {
    const std::string t = tail;
    if (path.size() > t.size() && path.compare(path.size() - t.size(), t.size(), t) == 0) path.resize(path.size() - t.size());
  }
  return path;
}

struct Edge {
  std::size_t from;  // producer node
  std::size_t to;    // consumer node
  bool import;       // Fn::ImportValue (else Fn::GetStackOutput, unless local)
  std::vector<std::string> labels;
  bool local = false;  // between resources of one stack (Ref, Fn::GetAtt, Fn::Sub, DependsOn)
};

struct Graph {
  struct Node {
    std::string id;       // s0, s0r3
    std::string label;
    std::size_t stack;    // index into stacks
    bool is_stack;
  };
  std::vector<std::string> regions;                      // in order of first use
  std::vector<std::vector<std::size_t>> stacks_by_region;  // stack indices
  std::vector<Node> nodes;
  std::vector<std::vector<std::size_t>> resources_of;  // per stack: node indices
  std::vector<Edge> edges;
  std::vector<std::pair<std::size_t, std::size_t>> dependencies;  // stack -> stack without a reference
};

Graph build(const Assembly& a, const GraphOptions& o) {
  const AssemblyModel m = detail::build_model(a);
  std::vector<std::string> stack_paths;
  for (const auto& [p, fqn] : m.fqn_of)
    if (fqn == "drsynth.Stack") stack_paths.push_back(p);
  Graph g;
  std::map<std::string, std::size_t> stack_node;
  std::map<std::pair<std::string, std::string>, std::size_t> resource_node;
  g.resources_of.resize(m.stacks.size());
  for (std::size_t i = 0; i < m.stacks.size(); ++i) {
    const StackModel& s = m.stacks[i];
    auto r = std::find(g.regions.begin(), g.regions.end(), s.region);
    if (r == g.regions.end()) {
      g.regions.push_back(s.region);
      g.stacks_by_region.emplace_back();
      r = g.regions.end() - 1;
    }
    g.stacks_by_region[static_cast<std::size_t>(r - g.regions.begin())].push_back(i);
    stack_node[s.name] = g.nodes.size();
    g.nodes.push_back({"s" + std::to_string(i), std::to_string(i + 1) + ". " + s.name, i, true});
    if (!o.resources) continue;
    std::size_t k = 0;
    for (const auto& [id, entry] : s.resources->items()) {
      const std::string type = entry.is_object() ? entry.value("Type", std::string()) : std::string();
      resource_node[{s.name, id}] = g.nodes.size();
      g.resources_of[i].push_back(g.nodes.size());
      g.nodes.push_back({"s" + std::to_string(i) + "r" + std::to_string(k++), element_name(s, id, stack_paths) + "\n" + type, i, false});
    }
  }
  std::map<std::tuple<std::size_t, std::size_t, bool>, std::size_t> edge_of;
  std::set<std::pair<std::size_t, std::size_t>> linked;
  // Inside each stack (--resources): one edge per pair of resources, labelled
  // with each value that feeds a property, producer first.
  std::map<std::pair<std::size_t, std::size_t>, std::size_t> local_edge_of;
  auto local_edge = [&](std::size_t from, std::size_t to, std::string label) {
    auto [it, fresh] = local_edge_of.try_emplace({from, to}, g.edges.size());
    if (fresh) g.edges.push_back({from, to, false, {}, true});
    auto& labels = g.edges[it->second].labels;
    if (std::find(labels.begin(), labels.end(), label) == labels.end()) labels.push_back(std::move(label));
  };
  if (o.resources)
    for (const StackModel& s : m.stacks)
      for (const auto& item : s.resources->items()) {
        // Named, not a structured binding: clang 14 lets no lambda capture one.
        const std::string& id = item.key();
        const auto& entry = item.value();
        if (!entry.is_object()) continue;
        const std::size_t to = resource_node.at({s.name, id});
        auto node_of = [&](const std::string& target) -> const std::size_t* {
          const auto it = resource_node.find({s.name, target});
          return it == resource_node.end() || target == id ? nullptr : &it->second;
        };
        if (const auto props = entry.find("Properties"); props != entry.end())
          detail::for_each_local_reference(*props, "Properties", [&](const std::string& path, const std::string& target,
                                                                     const std::string& attribute) {
            if (const std::size_t* from = node_of(target))
              local_edge(*from, to, (attribute.empty() ? std::string("Ref") : attribute) + " \u2192 " +
                                        detail::display_path(path));
          });
        if (const auto deps = entry.find("DependsOn"); deps != entry.end()) {
          const auto one = [&](const nlohmann::json& d) {
            if (const std::size_t* from = d.is_string() ? node_of(d.get<std::string>()) : nullptr)
              local_edge(*from, to, "depends on");
          };
          if (deps->is_array())
            for (const auto& d : *deps) one(d);
          else
            one(*deps);
        }
      }
  for (const CrossReference& r : detail::cross_references(m)) {
    const StackModel* producer = m.find(r.producer_stack);
    const StackModel* consumer = m.find(r.consumer_stack);
    if (producer == nullptr || consumer == nullptr) continue;
    std::size_t from = stack_node[producer->name];
    std::size_t to = stack_node[consumer->name];
    linked.insert({from, to});
    const std::string source = r.producer_element.empty() ? r.output
                               : element_name(*producer, r.producer_element, stack_paths) + (r.attribute.empty() ? "" : "." + r.attribute);
    const std::string named_output = r.output.rfind("ExportsOutput", 0) == 0 ? "" : r.output + ": ";
    std::string label = named_output + source + " \u2192 ";
    if (o.resources && r.consumer_section == "Resources") {
      if (auto it = resource_node.find({producer->name, r.producer_element}); it != resource_node.end()) from = it->second;
      to = resource_node.at({consumer->name, r.consumer});
      label += detail::display_path(r.property);
    } else {
      label += (r.consumer_section == "Outputs" ? "output " + r.consumer : element_name(*consumer, r.consumer, stack_paths)) + "." +
               detail::display_path(r.property);
    }
    const bool import = r.via == "Fn::ImportValue";
    auto [it, fresh] = edge_of.try_emplace({from, to, import}, g.edges.size());
    if (fresh) g.edges.push_back({from, to, import, {}});
    g.edges[it->second].labels.push_back(label);
  }
  for (const auto& s : m.stacks)
    for (const auto& dep : s.artifact->dependencies) {
      if (!stack_node.contains(dep)) continue;
      const std::pair<std::size_t, std::size_t> e{stack_node[dep], stack_node[s.name]};
      if (!linked.contains(e)) g.dependencies.push_back(e);
    }
  return g;
}

// Each line of a label (names, types, paths from the app) with control
// characters, escape sequences and bidi controls escaped: a graph printed on
// a terminal shows them as text.
std::vector<std::string> printable_lines(const std::string& s) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (;;) {
    const auto end = s.find('\n', start);
    lines.push_back(escape_control_characters(std::string_view(s).substr(start, end - start)));
    if (end == std::string::npos) return lines;
    start = end + 1;
  }
}

std::string dot_string(const std::string& s) {
  std::string out = "\"";
  bool first = true;
  for (const auto& line : printable_lines(s)) {
    if (!first) out += "\\n";
    first = false;
    for (char c : line) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
  }
  return out + "\"";
}

std::string dot(const Graph& g, const GraphOptions& o) {
  std::ostringstream out;
  out << "digraph drsynth {\n"
      << "  rankdir=LR;\n"
      << "  compound=true;\n"
      // Graphviz's older ranking fails ("trouble in init_rank") on the edges
      // inside a stack's cluster next to edges between clusters; newrank
      // ranks the whole graph at once.
      << "  newrank=true;\n"
      << "  label=\"stacks in deployment order; solid: Fn::ImportValue, dashed: Fn::GetStackOutput, dotted: dependency"
      << (o.resources ? "; grey: within a stack" : "") << "\";\n"
      << "  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n"
      << "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  for (std::size_t r = 0; r < g.regions.size(); ++r) {
    out << "  subgraph cluster_region" << r << " {\n    label=" << dot_string(g.regions[r]) << ";\n    style=rounded;\n";
    for (std::size_t si : g.stacks_by_region[r]) {
      const auto& node = *std::find_if(g.nodes.begin(), g.nodes.end(), [&](const auto& n) { return n.is_stack && n.stack == si; });
      if (o.resources) {
        out << "    subgraph cluster_" << node.id << " {\n      label=" << dot_string(node.label) << ";\n";
        out << "      " << node.id << " [label=\"stack\", shape=point, style=invis];\n";
        for (std::size_t ri : g.resources_of[si])
          out << "      " << g.nodes[ri].id << " [label=" << dot_string(g.nodes[ri].label) << "];\n";
        out << "    }\n";
      } else {
        out << "    " << node.id << " [label=" << dot_string(node.label) << ", style=bold];\n";
      }
    }
    out << "  }\n";
  }
  for (const auto& e : g.edges) {
    std::string label;
    for (const auto& l : e.labels) label += (label.empty() ? "" : "\n") + l;
    out << "  " << g.nodes[e.from].id << " -> " << g.nodes[e.to].id << " [label=" << dot_string(label)
        << (e.local ? ", color=gray40, fontcolor=gray40" : e.import ? "" : ", style=dashed") << "];\n";
  }
  for (const auto& [from, to] : g.dependencies)
    out << "  " << g.nodes[from].id << " -> " << g.nodes[to].id << " [style=dotted, label=\"depends on\"];\n";
  out << "}\n";
  return out.str();
}

std::string mermaid_string(const std::string& s) {
  std::string out = "\"";
  bool first = true;
  for (const auto& line : printable_lines(s)) {
    if (!first) out += "<br/>";
    first = false;
    for (char c : line) {
      if (c == '"')
        out += "#quot;";
      else if (c == '<')
        out += "#lt;";
      else if (c == '>')
        out += "#gt;";
      else
        out += c;
    }
  }
  return out + "\"";
}

std::string mermaid(const Graph& g, const GraphOptions& o) {
  std::ostringstream out;
  out << "flowchart LR\n";
  for (std::size_t r = 0; r < g.regions.size(); ++r) {
    out << "  subgraph region" << r << "[" << mermaid_string(g.regions[r]) << "]\n";
    for (std::size_t si : g.stacks_by_region[r]) {
      const auto& node = *std::find_if(g.nodes.begin(), g.nodes.end(), [&](const auto& n) { return n.is_stack && n.stack == si; });
      if (o.resources) {
        out << "    subgraph " << node.id << "[" << mermaid_string(node.label) << "]\n";
        for (std::size_t ri : g.resources_of[si])
          out << "      " << g.nodes[ri].id << "[" << mermaid_string(g.nodes[ri].label) << "]\n";
        out << "    end\n";
      } else {
        out << "    " << node.id << "[" << mermaid_string(node.label) << "]\n";
      }
    }
    out << "  end\n";
  }
  for (const auto& e : g.edges) {
    std::string label;
    for (const auto& l : e.labels) label += (label.empty() ? "" : "\n") + l;
    if (!e.local) label += e.import ? "\n(Fn::ImportValue)" : "\n(Fn::GetStackOutput)";
    out << "  " << g.nodes[e.from].id << (e.import || e.local ? " -->|" : " -.->|") << mermaid_string(label) << "| "
        << g.nodes[e.to].id << "\n";
  }
  for (const auto& [from, to] : g.dependencies)
    out << "  " << g.nodes[from].id << " -.->|\"depends on\"| " << g.nodes[to].id << "\n";
  return out.str();
}

}  // namespace

std::string assembly_graph(const Assembly& assembly, const GraphOptions& options) {
  const Graph g = build(assembly, options);
  return options.format == GraphFormat::dot ? dot(g, options) : mermaid(g, options);
}

}  // namespace drsynth
