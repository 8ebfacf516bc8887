// One register_* per kernel family: napi/<family>.cpp binds native/src/<family>.cpp (info:
// backends.hpp). addon.cpp calls them all.
#pragma once
#include <napi.h>

namespace nucseg::napi {
void register_info(Napi::Env env, Napi::Object exports);
void register_overlap(Napi::Env env, Napi::Object exports);
void register_components(Napi::Env env, Napi::Object exports);
void register_distance(Napi::Env env, Napi::Object exports);
void register_filters(Napi::Env env, Napi::Object exports);
void register_morphology(Napi::Env env, Napi::Object exports);
void register_resize(Napi::Env env, Napi::Object exports);
void register_max_filter(Napi::Env env, Napi::Object exports);
void register_watershed(Napi::Env env, Napi::Object exports);
void register_measure(Napi::Env env, Napi::Object exports);
void register_augment(Napi::Env env, Napi::Object exports);
void register_instances(Napi::Env env, Napi::Object exports);
}  // namespace nucseg::napi
