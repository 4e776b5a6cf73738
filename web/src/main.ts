import { DefaultApolloClient } from '@vue/apollo-composable';
import { createApp } from 'vue';
import { apollo } from './apollo';
import App from './App.vue';
import { router } from './router';
import './styles.css';

createApp(App).provide(DefaultApolloClient, apollo).use(router).mount('#app');
