// ankerl::unordered_dense (https://github.com/martinus/unordered_dense) has no Debian 12
// package and mediasoup fetches it as a meson subproject. The worker uses only its `map`,
// `set` and `hash`, so these are the standard containers under those names, with a hash that
// mixes integers (as ankerl's does: std::hash of an integer is the integer itself, which
// crowds buckets for SSRCs and pointers that share their low bits).
#ifndef HUB_ANKERL_UNORDERED_DENSE_SHIM_H
#define HUB_ANKERL_UNORDERED_DENSE_SHIM_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>

namespace ankerl::unordered_dense
{
	namespace detail
	{
		// 64-bit multiply-xorshift mix (splitmix64's finaliser).
		inline std::uint64_t mix(std::uint64_t x) noexcept
		{
			x ^= x >> 30;
			x *= 0xbf58476d1ce4e5b9ULL;
			x ^= x >> 27;
			x *= 0x94d049bb133111ebULL;
			x ^= x >> 31;

			return x;
		}
	} // namespace detail

	template<typename T, typename Enable = void>
	struct hash : std::hash<T>
	{
	};

	template<typename T>
	struct hash<T, std::enable_if_t<std::is_integral_v<T> || std::is_enum_v<T>>>
	{
		std::size_t operator()(const T& value) const noexcept
		{
			return static_cast<std::size_t>(detail::mix(static_cast<std::uint64_t>(value)));
		}
	};

	template<typename T>
	struct hash<T*>
	{
		std::size_t operator()(T* value) const noexcept
		{
			return static_cast<std::size_t>(detail::mix(reinterpret_cast<std::uintptr_t>(value)));
		}
	};

	template<class Key, class T, class Hash = hash<Key>, class KeyEqual = std::equal_to<Key>>
	using map = std::unordered_map<Key, T, Hash, KeyEqual>;

	template<class Key, class Hash = hash<Key>, class KeyEqual = std::equal_to<Key>>
	using set = std::unordered_set<Key, Hash, KeyEqual>;
} // namespace ankerl::unordered_dense

#endif
