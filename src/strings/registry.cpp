// The process-wide registry of compiled formula entries (kokkeops/entry.h).
#include <kokkeops/entry.h>

#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace {

struct Registry {
  std::mutex mutex;
  std::map<std::string, const kokkeops_entry_info*, std::less<>> entries;
};

Registry& registry() {
  static Registry r;  // constructed on first use, never at static initialisation
  return r;
}

}  // namespace

extern "C" int kokkeops_register_entry(const kokkeops_entry_info* info) {
  if (!info || !info->key) return KOKKEOPS_ERROR_ARGUMENT;
  if (info->abi_version != KOKKEOPS_ENTRY_ABI_VERSION || info->struct_size != sizeof(kokkeops_entry_info))
    return KOKKEOPS_ERROR_VERSION;
  Registry& r = registry();
  const std::lock_guard<std::mutex> lock(r.mutex);
  r.entries.emplace(info->key, info);
  return KOKKEOPS_OK;
}

extern "C" const kokkeops_entry_info* kokkeops_find_entry(const char* key) {
  if (!key) return nullptr;
  Registry& r = registry();
  const std::lock_guard<std::mutex> lock(r.mutex);
  const auto it = r.entries.find(std::string_view(key));
  return it == r.entries.end() ? nullptr : it->second;
}

extern "C" void kokkeops_solve_options_init(kokkeops_solve_options* o) {
  if (!o) return;
  *o = kokkeops_solve_options{};
  o->struct_size = sizeof(kokkeops_solve_options);
  o->preconditioner = KOKKEOPS_PRECONDITIONER_AUTOMATIC;
  o->alpha = 1e-10;
  o->max_iterations = 1000;
}
